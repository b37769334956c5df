"""``numpynn train`` on a large CSV file, against pandas' ``read_csv`` and a scikit-learn
pipeline (ColumnTransformer + MLPClassifier) on the same file.

The file: ``--rows`` rows of 40 numeric columns (five with 2% gaps) and 10 text columns
(2 to 20 categories), and a binary text target. Each rival runs in a fresh process, one
after the other, and reports its wall time from launch and its peak resident memory
(``ru_maxrss``):

pandas
    ``pandas.read_csv(FILE)`` (the C engine, pandas' default).
numpynn
    ``numpynn train FILE --target target --epochs 10 --no-early-stopping -q`` (through
    ``numpynn.cli.main``); besides the whole run, the time from launch to the start of the
    first epoch, and the size of the float32 feature matrix.
sklearn
    ``read_csv``, then ``ColumnTransformer`` (median ``SimpleImputer`` + ``StandardScaler``
    on the numbers, ``OneHotEncoder`` on the text) and ``MLPClassifier`` with the same
    network (16, 16), batch size 32, learning rate 0.01, 10 epochs, 20% held out.

Targets (issue 11): launch to first epoch <= 2x pandas' ``read_csv``; peak memory <= 3x the
float32 feature matrix; the whole ``numpynn train`` faster than the scikit-learn pipeline.

Run::

    python benchmarks/tables.py --rows 100000           # writes /tmp/numpynn_table_100000.csv
    python benchmarks/tables.py --rows 1000000 --skip sklearn
    python benchmarks/tables.py --scaling 50000,100000,200000 --skip sklearn
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_NUMERIC, CATEGORY_COUNTS = 40, (2, 3, 4, 5, 6, 8, 10, 12, 16, 20)
NUMERIC = [f"x{j}" for j in range(N_NUMERIC)]
TEXT = [f"c{j}" for j in range(len(CATEGORY_COUNTS))]
EPOCHS, HIDDEN, BATCH, LR = 10, (16, 16), 32, 0.01


def make_file(path: Path, rows: int, seed: int = 0) -> Path:
    """Write the benchmark CSV (with pyarrow, in blocks of 100,000 rows)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    coef = rng.normal(size=N_NUMERIC)
    with pacsv.CSVWriter(str(path), _schema(pa)) as writer:
        for start in range(0, rows, 100_000):
            writer.write_table(_block(rng, min(100_000, rows - start), coef, pa))
    return path


def _schema(pa):
    return pa.schema([(n, pa.float64()) for n in NUMERIC] + [(n, pa.string()) for n in TEXT]
                     + [("target", pa.string())])


def _block(rng, n: int, coef: np.ndarray, pa):
    X = rng.normal(size=(n, N_NUMERIC)).round(4)
    score = X @ coef / np.sqrt(N_NUMERIC)
    columns = {}
    for j, name in enumerate(NUMERIC):
        values = pa.array(X[:, j])
        if j < 5:  # 2% gaps
            values = pa.array(np.where(rng.random(n) < 0.02, np.nan, X[:, j]), from_pandas=True)
        columns[name] = values
    for name, k in zip(TEXT, CATEGORY_COUNTS, strict=True):
        codes = rng.integers(k, size=n)
        score += 0.3 * (codes == 0)
        columns[name] = pa.array(np.array([f"{name}_v{i}" for i in range(k)])[codes])
    columns["target"] = pa.array(np.where(score + rng.normal(0, 0.5, n) > 0, "yes", "no"))
    return pa.table(columns, schema=_schema(pa))


# ------------------------------------------------------------------ the rivals (children)

_PANDAS = """
import pandas as pd, sys
pd.read_csv(sys.argv[1])
"""

_NUMPYNN = """
import json, resource, sys, time
import numpynn.tabular.model as model_module
from numpynn.cli import main

original = model_module.TableModel.train
seen = {}

def train(self, prepared, **kw):
    seen["first_epoch"] = time.time()
    seen["rss_before_training"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seen["features"] = prepared.X_train.shape[1]
    return original(self, prepared, **kw)

model_module.TableModel.train = train
config = json.loads(sys.argv[3])
main(["train", sys.argv[1], "--target", "target", "--epochs", str(config["epochs"]),
      "--no-early-stopping", "-q", "--out", sys.argv[2]])
seen["end"] = time.time()
print("RESULT " + json.dumps(seen))
"""

_SKLEARN = """
import sys, time, warnings, json
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
df = pd.read_csv(sys.argv[1])
c = json.loads(sys.argv[2])
numeric, text = c["numeric"], c["text"]
pre = ColumnTransformer([("num", make_pipeline(SimpleImputer(strategy="median"),
                                               StandardScaler()), numeric),
                         ("cat", OneHotEncoder(handle_unknown="ignore"), text)])
mlp = MLPClassifier(hidden_layer_sizes=tuple(c["hidden"]), batch_size=c["batch"],
                    learning_rate_init=c["lr"], max_iter=c["epochs"], early_stopping=True,
                    validation_fraction=0.2, n_iter_no_change=c["epochs"] + 1,
                    random_state=0)
warnings.simplefilter("ignore")
model = Pipeline([("pre", pre), ("mlp", mlp)]).fit(df[numeric + text], df["target"])
print("RESULT " + json.dumps({"epochs": int(model[-1].n_iter_)}))
"""
_CONFIG = json.dumps({"numeric": NUMERIC, "text": TEXT, "hidden": HIDDEN, "batch": BATCH,
                      "lr": LR, "epochs": EPOCHS})


def run_child(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh Python; its wall time, peak RSS (MiB) and RESULT dict."""
    wrapper = ("import resource, runpy, sys\n"
               f"exec(compile({code!r}, '<rival>', 'exec'))\n"
               "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    started = time.time()
    proc = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True,
                          text=True, env=dict(os.environ))
    wall = time.time() - started
    if proc.returncode != 0:
        raise RuntimeError(f"rival failed:\n{proc.stdout}\n{proc.stderr}")
    result: dict = {"wall": wall, "started": started}
    for line in proc.stdout.splitlines():
        if line.startswith("RSS "):
            result["peak_mib"] = int(line.split()[1]) / 1024
        if line.startswith("RESULT "):
            result.update(json.loads(line[len("RESULT "):]))
    return result


def measure(path: Path, rows: int, skip: set[str]) -> dict:
    """Every rival on ``path``; the figures."""
    figures: dict = {"rows": rows, "file_mib": path.stat().st_size / 2**20,
                     "load_before": os.getloadavg()[0]}
    if "pandas" not in skip:
        figures["pandas"] = run_child(_PANDAS, str(path))
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "bench.safetensors")
        res = run_child(_NUMPYNN, str(path), out, _CONFIG)
    res["to_first_epoch"] = res["first_epoch"] - res["started"]
    n_train = rows  # the whole feature matrix: training + validation rows
    res["feature_matrix_mib"] = n_train * res["features"] * 4 / 2**20
    figures["numpynn"] = res
    if "sklearn" not in skip:
        figures["sklearn"] = run_child(_SKLEARN, str(path), _CONFIG)
    figures["load_after"] = os.getloadavg()[0]
    return figures


def report(f: dict) -> None:
    n = f["numpynn"]
    print(f"{f['rows']:,} rows x 50 columns ({f['file_mib']:.0f} MiB); load average "
          f"{f['load_before']:.1f} before, {f['load_after']:.1f} after; {os.cpu_count()} CPUs")
    print(f"  numpynn train, {EPOCHS} epochs: {n['wall']:.2f} s in all; launch to first "
          f"epoch {n['to_first_epoch']:.2f} s; peak RSS {n['peak_mib']:.0f} MiB "
          f"(before training {n['rss_before_training'] / 1024:.0f} MiB); feature matrix "
          f"{n['features']} x {f['rows']:,} float32 = {n['feature_matrix_mib']:.0f} MiB")
    if "pandas" in f:
        p = f["pandas"]
        ratio = n["to_first_epoch"] / p["wall"]
        print(f"  pandas read_csv: {p['wall']:.2f} s, peak RSS {p['peak_mib']:.0f} MiB; "
              f"launch to first epoch / read_csv = {ratio:.2f} (target <= 2): "
              f"{'PASS' if ratio <= 2 else 'MISS'}")
    mem = n["peak_mib"] / n["feature_matrix_mib"]
    print(f"  numpynn peak RSS / feature matrix = {mem:.2f} (target <= 3): "
          f"{'PASS' if mem <= 3 else 'MISS'}")
    if "sklearn" in f:
        s = f["sklearn"]
        ratio = s["wall"] / n["wall"]
        print(f"  scikit-learn pipeline ({s['epochs']} epochs): {s['wall']:.2f} s, peak RSS "
              f"{s['peak_mib']:.0f} MiB; sklearn / numpynn = {ratio:.2f} (target > 1): "
              f"{'PASS' if ratio > 1 else 'MISS'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--scaling", help="comma-separated row counts: one run each")
    parser.add_argument("--skip", default="", help="rivals to skip: pandas,sklearn")
    parser.add_argument("--dir", default=tempfile.gettempdir(),
                        help="where the CSV files are written (and kept for the next run)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    counts = [int(c) for c in args.scaling.split(",")] if args.scaling else [args.rows]
    all_figures = []
    for rows in counts:
        path = Path(args.dir) / f"numpynn_table_{rows}.csv"
        if not path.exists():
            print(f"writing {path} ...", flush=True)
            make_file(path, rows)
        figures = measure(path, rows, skip)
        report(figures)
        all_figures.append(figures)
    if args.json:
        Path(args.json).write_text(json.dumps(all_figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
