"""``numpynn train --scheduler ADDRESS`` (the session's LocalCluster) and ``--workers``:
partitioned Parquet and CSV input, read on the workers; the model file works with
``numpynn predict``; the column options and rules, and unlabelled rows left out."""

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("distributed")
pytest.importorskip("pyarrow")
pytest.importorskip("safetensors")

import numpynn  # noqa: E402
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


@pytest.fixture(scope="module")
def messy_parts(tmp_path_factory):
    """Parts with a row number, a name per row, a column to drop and unlabelled rows."""
    folder = tmp_path_factory.mktemp("messy")
    rng = np.random.default_rng(1)
    for i in range(3):
        frame = pd.DataFrame({"row": np.arange(600 * i, 600 * (i + 1)),
                              "name": [f"p{600 * i + j}" for j in range(600)],
                              "a": rng.normal(size=600).round(4),
                              "noise": rng.normal(size=600)})
        frame["label"] = np.where(frame.a > 0, "yes", "no")
        frame.loc[frame.index[:10], "label"] = None
        frame.to_parquet(folder / f"part-{i}.parquet")
    return folder


def test_column_roles_and_unlabelled_rows_on_the_cluster(client, messy_parts, tmp_path,
                                                        capsys):
    model = tmp_path / "model.safetensors"
    status = main(["train", str(messy_parts / "*.parquet"), "--target", "label",
                   "--scheduler", client.scheduler.address, "--epochs", "3", "--lr", "0.05",
                   "--id", "name", "--drop", "noise", "--out", str(model)])
    report = capsys.readouterr().out
    assert status == 0
    assert "'row' looks like an identifier" in report
    assert "leaving out the rows whose target 'label' is missing (30 of the 1800" in report
    meta = numpynn.load(model).metadata
    assert meta["feature_names"] == ["a"] and meta["id_columns"] == ["name"]
    assert main(["inspect", str(model)]) == 0
    described = capsys.readouterr().out
    assert "None" not in described and "after 3 rounds" in described
    out = tmp_path / "predicted.csv"
    assert main(["predict", str(model), str(messy_parts / "part-1.parquet"),
                 "--out", str(out)]) == 0
    predicted = pd.read_csv(out)
    assert list(predicted.columns) == ["name", "label"] and predicted.name[0] == "p600"


def test_a_local_cluster_takes_any_free_port_without_a_warning(parts, tmp_path, capfd):
    import socket

    taken = socket.socket()
    try:
        taken.bind(("127.0.0.1", 8787))  # what a second run at the same time would find
    except OSError:
        taken.close()
        pytest.skip("port 8787 is in use here already")
    try:
        taken.listen()
        status = main(["train", str(parts / "*.parquet"), "--target", "label", "--workers",
                       "1", "--epochs", "1", "--quiet", "--out", str(tmp_path / "m.st")])
    finally:
        taken.close()
    assert status == 0
    assert "8787" not in capfd.readouterr().err


def test_csv_files_in_another_dialect_on_the_cluster(client, tmp_path, capsys):
    """Semicolons and Latin-1 (found, or given), a byte-order mark skipped; a decimal
    comma refused with a message, not read as text."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"a": rng.normal(size=400).round(3),
                          "city": rng.choice(["Köln", "Zürich"], 400)})
    frame["label"] = np.where(frame.a > 0, "oui", "non")
    frame.iloc[:200].to_csv(tmp_path / "p-0.csv", sep=";", index=False, encoding="latin-1")
    frame.iloc[200:].to_csv(tmp_path / "p-1.csv", sep=";", index=False, encoding="latin-1")
    common = ["--target", "label", "--scheduler", client.scheduler.address, "--epochs",
              "2", "--quiet"]
    assert main(["train", str(tmp_path / "p-*.csv"), *common, "--out",
                 str(tmp_path / "a.st")]) == 1
    assert "--encoding latin-1" in capsys.readouterr().err
    assert main(["train", str(tmp_path / "p-*.csv"), *common, "--encoding", "latin-1",
                 "--out", str(tmp_path / "b.st")]) == 0
    meta = numpynn.load(tmp_path / "b.st").metadata
    assert meta["feature_names"][0] == "a" and "city=Köln" in meta["feature_names"]
    frame.to_csv(tmp_path / "bom.csv", index=False, encoding="utf-8-sig")
    assert main(["train", str(tmp_path / "bom.csv"), *common, "--out",
                 str(tmp_path / "c.st")]) == 0
    assert numpynn.load(tmp_path / "c.st").metadata["feature_names"][0] == "a"
    frame.to_csv(tmp_path / "comma.csv", sep=";", decimal=",", index=False)
    assert main(["train", str(tmp_path / "comma.csv"), *common, "--out",
                 str(tmp_path / "d.st")]) == 1
    assert "decimal comma" in capsys.readouterr().err
