"""``numpynn train`` on tables as people have them: row names and pandas indexes, markers,
thousands separators, empty columns, rows without a target, other delimiters and encodings,
Parquet; the column options; a model made in Python used by the command."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("safetensors")

from cli_helpers import ok, run  # noqa: E402

import numpynn  # noqa: E402


def rdatasets_rows(n: int = 120, seed: int = 0) -> tuple[list[str], list[list[str]]]:
    """Sorted by price, with a ``rownames`` column (so it follows price), a name per row,
    ``?`` markers in a numeric column, thousands separators, an empty column, a text
    column, a number-coded column, and two rows without a price."""
    rng = np.random.default_rng(seed)
    carat = rng.uniform(0.2, 2.5, n)
    cut = rng.choice(["Fair", "Good", "Ideal"], n)
    grade = rng.integers(1, 4, n)
    price = 3000 * carat + 400 * (cut == "Ideal") + 200 * grade + rng.normal(0, 100, n)
    order = np.argsort(price)
    rows = []
    for k, i in enumerate(order):
        depth = "?" if k % 5 == 0 else f"{rng.normal(61, 1):.1f}"
        value = "NA" if k in (10, 50) else f"{price[i]:,.0f}"
        rows.append([str(k + 1), f"stone {k}", f"{carat[i]:.2f}", cut[i], depth, "NA",
                     str(grade[i]), value])
    return ["rownames", "name", "carat", "cut", "depth", "empty", "grade", "price"], rows


def write_table(path: Path, header: list[str], rows: list[list[str]], *, delimiter=",",
                encoding="utf-8", index: bool = False) -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(([""] if index else []) + header)
        writer.writerows(([str(i)] if index else []) + row for i, row in enumerate(rows))
    return path


def test_a_first_run_on_an_rdatasets_file_leaves_out_what_would_mislead(tmp_path: Path):
    header, rows = rdatasets_rows()
    write_table(tmp_path / "stones.csv", header, rows)
    proc = ok(run("train", "stones.csv", "--target", "price", "--epochs", "30", "-q",
                  cwd=tmp_path))
    notes = [line for line in proc.stdout.splitlines() if line.startswith("note: ")]
    text = "\n".join(notes)
    assert "'rownames' looks like an identifier (a different whole number in every row, " \
           "in row order): left out; to use it as a feature: --keep rownames" in text
    assert "'name' looks like an identifier (a different value in every row)" in text
    assert "'empty' is empty" in text
    assert "'depth': 24 cells '?' read as missing" in text
    assert "thousands separators" in text
    assert "left out 2 rows whose target 'price' is missing" in text
    assert re.search(r"missing values: depth \d+ \(\d+\.\d%\)", text)
    meta = numpynn.load(tmp_path / "model.safetensors").metadata
    assert meta["feature_names"] == ["carat", "cut=Fair", "cut=Good", "cut=Ideal", "depth",
                                     "depth (missing)", "grade"]
    assert meta["training"]["rows"] == 118 and meta["task"] == "regression"

    # the same table as pandas writes it (index column, no name): the same model
    write_table(tmp_path / "stones_pd.csv", header, rows, index=True)
    proc = ok(run("train", "stones_pd.csv", "--target", "price", "--epochs", "30", "-q",
                  "--out", "pd.safetensors", cwd=tmp_path))
    assert "the first column has no name: a pandas index" in proc.stdout
    again = numpynn.load(tmp_path / "pd.safetensors")
    np.testing.assert_array_equal(again.theta, numpynn.load(tmp_path / "model.safetensors")
                                  .theta)


def test_column_options(tmp_path: Path):
    header, rows = rdatasets_rows()
    write_table(tmp_path / "stones.csv", header, rows)
    proc = ok(run("train", "stones.csv", "--target", "price", "--epochs", "2", "-q",
                  "--drop", "name,empty", "--id", "rownames", "--out", "a.safetensors",
                  cwd=tmp_path))
    assert "identifiers (not features, kept for predict): rownames" in proc.stdout
    assert "'name'" not in proc.stdout and "'empty'" not in proc.stdout  # no notes: dropped
    meta = numpynn.load(tmp_path / "a.safetensors").metadata
    assert meta["id_columns"] == ["rownames"] and "rownames" not in meta["feature_names"]
    ok(run("train", "stones.csv", "--target", "price", "--epochs", "2", "-q",
           "--keep", "rownames", "--out", "k.safetensors", cwd=tmp_path))
    assert "rownames" in numpynn.load(tmp_path / "k.safetensors").metadata["feature_names"]


def test_column_option_errors(tmp_path: Path):
    header, rows = rdatasets_rows()
    write_table(tmp_path / "stones.csv", header, rows)
    bad = run("train", "stones.csv", "--target", "Price", cwd=tmp_path)
    assert bad.returncode == 1 and "did you mean 'price'" in bad.stderr
    bad = run("train", "stones.csv", "--target", "price", "--drop", "carrat", cwd=tmp_path)
    assert bad.returncode == 1 and "did you mean 'carat'" in bad.stderr
    bad = run("train", "stones.csv", "--target", "price", "--keep", "rownames", "--id",
              "rownames", cwd=tmp_path)
    assert bad.returncode == 1 and "both left out" in bad.stderr
    bad = run("train", "stones.csv", "--target", "price", "--class-weight", "even",
              cwd=tmp_path)
    assert bad.returncode == 2 and "expected 'balanced'" in bad.stderr
    assert not (tmp_path / "model.safetensors").exists()


def test_features_categorical_and_keep(tmp_path: Path):
    header, rows = rdatasets_rows()
    write_table(tmp_path / "stones.csv", header, rows)
    ok(run("train", "stones.csv", "--target", "price", "--epochs", "2", "-q",
           "--features", "rownames,carat", "--features", "grade", "--categorical", "grade",
           "--out", "f.safetensors", cwd=tmp_path))
    meta = numpynn.load(tmp_path / "f.safetensors").metadata
    # named in --features, so no rule leaves rownames out
    assert meta["feature_names"] == ["rownames", "carat", "grade=1", "grade=2", "grade=3"]


def test_other_delimiters_and_encodings(tmp_path: Path):
    header = ["größe", "farbe", "klasse"]
    rows = [[f"{1 + i / 10:.1f}".replace(".", ","), ["rot", "grün"][i % 2], "ja" if i % 3
             else "nein"] for i in range(40)]
    write_table(tmp_path / "de.csv", header, rows, delimiter=";", encoding="latin-1")
    bad = run("train", "de.csv", "--target", "klasse", cwd=tmp_path)
    assert bad.returncode == 1 and "not UTF-8 text" in bad.stderr
    assert "--encoding latin-1" in bad.stderr
    proc = ok(run("train", "de.csv", "--target", "klasse", "--encoding", "latin-1",
                  "--epochs", "2", "-q", cwd=tmp_path))
    assert "read as semicolon (;)-separated" in proc.stdout
    assert "decimal comma" in proc.stdout
    assert "1 numeric column" in proc.stdout  # größe: 1,5 is a number
    bad = run("train", "de.csv", "--target", "klasse", "--encoding", "latin-1",
              "--delimiter", ",", "--out", "x.safetensors", cwd=tmp_path)
    assert bad.returncode == 1 and "pass --delimiter ';'" in bad.stderr


def test_predict_and_evaluate_take_the_reading_options(tmp_path: Path):
    # A model trained on a Latin-1 file: predict and evaluate must be able to read the
    # same kind of file (their error message tells the user to pass --encoding).
    header = ["größe", "farbe", "klasse"]
    rows = [[f"{1 + i / 10:.1f}".replace(".", ","), ["rot", "grün"][i % 2], "ja" if i % 3
             else "nein"] for i in range(40)]
    write_table(tmp_path / "de.csv", header, rows, delimiter=";", encoding="latin-1")
    ok(run("train", "de.csv", "--target", "klasse", "--encoding", "latin-1", "--recipe",
           "plain", "--epochs", "2", "-q", "--out", "m.safetensors", cwd=tmp_path))
    bad = run("predict", "m.safetensors", "de.csv", cwd=tmp_path)
    assert bad.returncode == 1 and "--encoding latin-1" in bad.stderr
    proc = ok(run("predict", "m.safetensors", "de.csv", "--encoding", "latin-1",
                  cwd=tmp_path))
    labels = proc.stdout.splitlines()
    assert labels[0] == "klasse" and len(labels) == 41 and set(labels[1:]) <= {"ja", "nein"}
    proc = ok(run("evaluate", "m.safetensors", "de.csv", "--encoding", "latin-1",
                  "--delimiter", ";", cwd=tmp_path))
    assert "accuracy" in proc.stdout
    # The new rows' own gap markers: a '-' is read as missing with a note on stderr; a word
    # is named (not the decimal commas it hid from the reader) and --na-values takes it.
    rows[3][0], rows[5][0] = "-", "fehlt"
    write_table(tmp_path / "new.csv", header, rows, delimiter=";", encoding="latin-1")
    bad = run("predict", "m.safetensors", "new.csv", "--encoding", "latin-1", cwd=tmp_path)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "row 6 (line 7 of new.csv) holds 'fehlt', which is not a number" in bad.stderr
    proc = ok(run("predict", "m.safetensors", "new.csv", "--encoding", "latin-1",
                  "--na-values", "fehlt", cwd=tmp_path))
    assert len(proc.stdout.splitlines()) == 41
    assert "numpynn: note: column 'größe': 1 cell '-' read as missing" in proc.stderr


def test_parquet_no_early_stopping_and_balanced_weights(tmp_path: Path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rng = np.random.default_rng(1)
    x = rng.normal(size=300)
    table = pa.table({"x": x, "noise": rng.normal(size=300),
                      "y": np.where(x > 1.3, "rare", "common")})
    pq.write_table(table, tmp_path / "data.parquet")
    proc = ok(run("train", "data.parquet", "--target", "y", "--epochs", "6",
                  "--no-early-stopping", "--class-weight", "balanced", "-q", cwd=tmp_path))
    assert "trained 6 epochs" in proc.stdout and "early stopping" not in proc.stdout
    assert "balanced class weights" in proc.stdout
    meta = numpynn.load(tmp_path / "model.safetensors").metadata
    assert meta["results"]["epochs"] == 6 and meta["training"]["class_weight"] == "balanced"
    assert meta["training"]["early_stopping"] is False


def test_a_model_made_in_python_works_with_the_command(tmp_path: Path):
    from numpynn.tabular import TableModel

    header, rows = rdatasets_rows()
    rows = [row for row in rows if row[-1] != "NA"]
    write_table(tmp_path / "stones.csv", header, rows)
    model = TableModel(epochs=20).fit(tmp_path / "stones.csv", "price")
    model.save(tmp_path / "py.safetensors")
    predicted = ok(run("predict", "py.safetensors", "stones.csv", cwd=tmp_path)).stdout
    values = [float(line.split(",")[-1]) for line in predicted.splitlines()[1:]]
    np.testing.assert_allclose(values, model.predict(tmp_path / "stones.csv"), rtol=1e-5)
    assert "rmse" in ok(run("evaluate", "py.safetensors", "stones.csv", cwd=tmp_path)).stdout
    assert "network: 7-16-16-1" in ok(run("inspect", "py.safetensors", cwd=tmp_path)).stdout
