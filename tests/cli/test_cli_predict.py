"""``numpynn predict``: labels, probabilities at full precision, ID columns, ``--out``
(CSV and Parquet), unseen categories."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("safetensors")

from cli_helpers import COLUMNS, make_rows, ok, read_output_csv, run, write_rows  # noqa: E402

import numpynn  # noqa: E402
from numpynn.tabular import Preprocessor, TargetEncoder, read_csv  # noqa: E402


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
    assert rows[0] == ["label", "P(high)", "P(low)", "P(mid)"]  # the label, then P beside it
    probabilities = np.array([r[1:] for r in rows[1:]], dtype=np.float64)
    assert probabilities.shape == (40, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    labels = read_output_csv(ok(run("predict", "label.safetensors", "new.csv",
                                    cwd=work)).stdout)
    assert [["high", "low", "mid"][k] for k in probabilities.argmax(axis=1)] == \
        [r[0] for r in labels[1:]] == [r[0] for r in rows[1:]]
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


def _library_probabilities(work, data) -> np.ndarray:
    net = numpynn.load(work / "label.safetensors")
    pre = Preprocessor.from_dict(net.metadata["preprocessor"])
    return net.eval(pre.transform(read_csv(data)))


def test_probabilities_are_written_at_full_float32_precision(work):
    rows = read_output_csv(ok(run("predict", "label.safetensors", "new.csv", "--proba",
                                  cwd=work)).stdout)[1:]
    written = np.array([r[1:] for r in rows], dtype=np.float32)  # text -> float32, exactly
    expected = _library_probabilities(work, work / "new.csv")
    top = expected.argmax(axis=1)
    others = np.ones_like(expected, dtype=bool)
    others[np.arange(len(top)), top] = False
    # every value but each row's largest is the network's own float32, bit for bit ...
    assert np.array_equal(written[others], expected[others])
    # ... and the largest absorbs the rounding: each row's float32 values sum to 1 within
    # half a float32 step of values in [0.5, 1) ...
    exact = np.array([sum(float(v) for v in row) for row in written.tolist()])
    assert np.abs(exact - 1.0).max() <= 2.0**-25
    # ... and the decimal text itself (read as float64, as pandas would) within float32
    # rounding
    text = np.array([sum(float(v) for v in r[1:]) for r in rows])
    assert np.abs(text - 1.0).max() <= np.finfo(np.float32).eps
    np.testing.assert_allclose(written[~others], expected[~others], rtol=0, atol=4e-7)
    # the shortest text that reads back as the float32: no '0.33333334327...'
    assert max(len(v) for r in rows for v in r[1:]) <= 15


def test_rows_summing_to_one_keeps_all_but_the_largest():
    from numpynn.cli.predict import rows_summing_to_one

    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3, size=(500, 7)).astype(np.float32)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    fixed = rows_summing_to_one(p)
    assert fixed.dtype == np.float32 and fixed.shape == p.shape
    exact = np.array([sum(float(v) for v in row) for row in fixed.tolist()])
    assert np.abs(exact - 1.0).max() <= 2.0**-25
    assert np.array_equal(fixed.argmax(axis=1), p.argmax(axis=1))
    assert np.count_nonzero(fixed != p) <= len(p)  # at most one value a row changed


def test_id_columns_are_copied_first(work, tmp_path):
    proc = ok(run("predict", str(work / "label.safetensors"), str(work / "new.csv"),
                  "--id", "size,color", "--proba", cwd=tmp_path))
    rows = read_output_csv(proc.stdout)
    assert rows[0] == ["size", "color", "label", "P(high)", "P(low)", "P(mid)"]
    table = read_csv(work / "new.csv")
    assert [r[0] for r in rows[1:]] == table.strings("size")
    assert [r[1] for r in rows[1:]] == table.strings("color")
    bad = run("predict", str(work / "label.safetensors"), str(work / "new.csv"),
              "--id", "Colour", cwd=tmp_path)
    assert bad.returncode == 1
    assert "--id 'Colour'" in bad.stderr and "did you mean 'color'?" in bad.stderr


def test_the_models_id_columns_are_the_default(work, tmp_path):
    # a model whose metadata names its ID columns (as `numpynn train --id` stores them)
    net = numpynn.load(work / "label.safetensors")
    net.save(tmp_path / "with_ids.safetensors",
             metadata={**net.metadata, "id_columns": ["size", "rownames"]})
    proc = ok(run("predict", "with_ids.safetensors", str(work / "new.csv"), cwd=tmp_path))
    rows = read_output_csv(proc.stdout)
    assert rows[0] == ["size", "label"]
    assert "'rownames'" in proc.stderr and "not copied" in proc.stderr  # absent: a warning
    plain = ok(run("predict", "with_ids.safetensors", str(work / "new.csv"), "--no-id",
                   cwd=tmp_path))
    assert read_output_csv(plain.stdout)[0] == ["label"] and plain.stderr == ""
    assert [r[1] for r in rows[1:]] == [r[0] for r in read_output_csv(plain.stdout)[1:]]


def test_parquet_output(work, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    ok(run("predict", str(work / "label.safetensors"), str(work / "new.csv"), "--proba",
           "--id", "age", "--out", "pred.parquet", cwd=tmp_path))
    table = pq.read_table(tmp_path / "pred.parquet")
    assert table.column_names == ["age", "label", "P(high)", "P(low)", "P(mid)"]
    assert str(table.schema.field("P(high)").type) == "float"  # float32
    csv_rows = read_output_csv(ok(run("predict", str(work / "label.safetensors"),
                                      str(work / "new.csv"), "--proba", "--id", "age",
                                      cwd=tmp_path)).stdout)[1:]
    assert table.column("label").to_pylist() == [r[1] for r in csv_rows]
    assert table.column("age").to_pylist() == [r[0] for r in csv_rows]
    from_csv = np.array([r[2:] for r in csv_rows], dtype=np.float32)
    from_parquet = np.column_stack([table.column(c).to_numpy() for c in table.column_names[2:]])
    assert np.array_equal(from_parquet, from_csv)
    assert not list(tmp_path.glob(".pred.parquet*"))


def test_parquet_without_pyarrow_names_the_install_command(work, tmp_path):
    code = ("import sys; sys.modules['pyarrow'] = sys.modules['pyarrow.parquet'] = None\n"
            "from numpynn.cli import main\n"
            f"sys.exit(main(['predict', {str(work / 'label.safetensors')!r}, "
            f"{str(work / 'new.csv')!r}, '--out', 'p.parquet']))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    assert 'pip install "numpynn[cli]"' in proc.stderr and "pyarrow" in proc.stderr
    assert not (tmp_path / "p.parquet").exists()


def test_regression_values_read_back_as_the_networks_float32(work):
    rows = read_output_csv(ok(run("predict", "price.safetensors", "new.csv", cwd=work)).stdout)
    net = numpynn.load(work / "price.safetensors")
    pre = Preprocessor.from_dict(net.metadata["preprocessor"])
    enc = TargetEncoder.from_dict(net.metadata["target_encoder"])
    expected = enc.inverse_transform(net.eval(pre.transform(read_csv(work / "new.csv"))))
    assert np.array_equal(np.array([r[0] for r in rows[1:]], dtype=np.float32),
                          expected.reshape(-1))
