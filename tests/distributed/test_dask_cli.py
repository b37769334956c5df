"""``numpynn train --scheduler ADDRESS`` (the session's LocalCluster) and ``--workers``:
partitioned Parquet and CSV input, read on the workers; the model file works with
``numpynn predict``."""

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("distributed")
pytest.importorskip("pyarrow")
pytest.importorskip("safetensors")

from numpynn.cli.main import main  # noqa: E402


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parts")
    rng = np.random.default_rng(0)
    for i in range(3):
        frame = pd.DataFrame({"a": rng.normal(size=600).round(4),
                              "colour": rng.choice(["red", "blue"], 600)})
        frame["label"] = np.where(frame.a + (frame.colour == "red") > 0.5, "yes", "no")
        frame.to_parquet(folder / f"part-{i}.parquet")
        frame.to_csv(folder / f"part-{i}.csv", index=False)
    return folder


@pytest.mark.parametrize("pattern", ["*.parquet", "part-*.csv"])
def test_train_on_the_cluster_then_predict(client, parts, tmp_path, capsys, pattern):
    model = tmp_path / "model.safetensors"
    status = main(["train", str(parts / pattern), "--target", "label", "--scheduler",
                   client.scheduler.address, "--epochs", "3", "--lr", "0.05", "--quiet",
                   "--out", str(model), "--checkpoint-dir", str(tmp_path / "ckpt")])
    assert status == 0
    report = capsys.readouterr().out
    assert "1800 rows" in report and "validation" in report
    out = tmp_path / "predicted.csv"
    assert main(["predict", str(model), str(parts / "part-0.csv"), "--out", str(out)]) == 0
    labels = out.read_text().splitlines()
    truth = pd.read_csv(parts / "part-0.csv")["label"]
    assert labels[0] == "label" and len(labels) == 601
    assert np.mean(np.array(labels[1:]) == truth.to_numpy()) > 0.8


def test_cluster_options_are_checked(parts, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["train", str(parts), "--workers", "2"])  # no --target
    assert "--target" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", str(parts), "--target", "label", "--workers", "2", "--scheduler",
              "tcp://127.0.0.1:1"])
    assert main(["train", str(tmp_path / "none-*.parquet"), "--target", "label",
                 "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "m")]) != 0


def test_lbfgs_on_the_cluster_from_the_command_line(client, parts, tmp_path, capsys):
    model = tmp_path / "model.safetensors"
    status = main(["train", str(parts / "part-*.csv"), "--target", "label", "--scheduler",
                   client.scheduler.address, "--optimizer", "lbfgs", "--epochs", "5",
                   "--quiet", "--out", str(model)])
    assert status == 0, capsys.readouterr().err
    assert model.exists() and "rounds in" in capsys.readouterr().out
