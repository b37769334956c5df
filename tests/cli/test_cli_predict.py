"""``numpynn predict``: labels, probabilities, ``--out``, unseen categories."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("safetensors")

from cli_helpers import COLUMNS, make_rows, ok, read_output_csv, run, write_rows  # noqa: E402

import numpynn  # noqa: E402
from numpynn.tabular import Preprocessor, read_csv  # noqa: E402


def test_predict_labels_match_the_library(work):
    proc = ok(run("predict", "label.safetensors", "new.csv", cwd=work))
    rows = read_output_csv(proc.stdout)
    assert rows[0] == ["label"]
    assert len(rows) == 41
    # the same model through the library, with the stored preprocessing
    net = numpynn.load(work / "label.safetensors")
    pre = Preprocessor.from_dict(net.metadata["preprocessor"])
    X = pre.transform(read_csv(work / "new.csv"))
    assert X.dtype == np.float32
    expected = [net.metadata["classes"][k] for k in net.predict(X)]
    assert [r[0] for r in rows[1:]] == expected
    # "--out -" is stdout too
    assert ok(run("predict", "label.safetensors", "new.csv", "--out", "-",
                  cwd=work)).stdout == proc.stdout
    assert not (work / "-").exists()


def test_predict_proba_and_out_file(work):
    proc = ok(run("predict", "label.safetensors", "new.csv", "--proba", cwd=work))
    rows = read_output_csv(proc.stdout)
    assert rows[0] == ["P(high)", "P(low)", "P(mid)"]
    probabilities = np.array(rows[1:], dtype=np.float64)
    assert probabilities.shape == (40, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    labels = read_output_csv(ok(run("predict", "label.safetensors", "new.csv",
                                    cwd=work)).stdout)
    assert [["high", "low", "mid"][k] for k in probabilities.argmax(axis=1)] == \
        [r[0] for r in labels[1:]]
    # --out: the same CSV in a file, and no temporary file left beside it
    target = work / "pred.csv"
    target.write_text("old contents\n")
    assert ok(run("predict", "label.safetensors", "new.csv", "--proba", "--out", "pred.csv",
                  cwd=work)).stdout == ""
    assert target.read_text() == proc.stdout
    assert not list(work.glob(".pred.csv*"))


def test_predict_ignores_the_target_and_warns_on_unseen_categories(work, tmp_path):
    rows = make_rows(10, seed=3)
    without_target = [r[:4] + r[5:] for r in rows]
    write_rows(tmp_path / "no_target.csv", without_target,
               [c for c in COLUMNS if c != "label"])
    write_rows(tmp_path / "with_target.csv", rows)
    a = ok(run("predict", str(work / "label.safetensors"), "no_target.csv", cwd=tmp_path))
    b = ok(run("predict", str(work / "label.safetensors"), "with_target.csv", cwd=tmp_path))
    assert a.stdout == b.stdout and a.stderr == "" and b.stderr == ""

    rows[0][2] = "purple"
    write_rows(tmp_path / "unseen.csv", rows)
    c = ok(run("predict", str(work / "label.safetensors"), "unseen.csv", cwd=tmp_path))
    assert len(read_output_csv(c.stdout)) == 11
    warning = c.stderr.strip().splitlines()
    assert len(warning) == 1
    assert warning[0].startswith("numpynn: warning:") and "'purple'" in warning[0]
    assert "color" in warning[0]
