"""A fuzzer of the command line: ``inspect``, ``predict`` and ``evaluate`` on mutated model
files never end in a traceback (or a raw NumPy warning), and never print a non-finite
result with exit status 0.

Each example mutates one of the two trained models of ``conftest.work`` -- a field of its
metadata set to a hostile JSON value or removed, weights set to values near float32's
limit, or bytes of the file flipped -- and runs the three commands in-process through
``numpynn.cli.main``.  The rules: exit status 0, 1 or 2; on an error exactly one
``numpynn: error:`` line; no traceback.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("safetensors")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.numpy import save_file  # noqa: E402

from numpynn.cli import main  # noqa: E402

FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: JSON values that have broken readers before: huge and tiny numbers, wrong types, a lone
#: surrogate (escaped: json.dumps writes it as \ud800), deep and empty containers.
HOSTILE = st.sampled_from([
    None, True, False, 0, -1, 1, 2**63, -(2**63) - 1, 10**400, -(10**30), 1e308, -1e308,
    3.5e38, 1e-320, 0.5, "", "x", "\ud800", "numpynn.cli.train", [], [1], ["a"], [[[]]],
    {}, {"a": 1}, [None] * 3, list(range(40)), "0" * 5000,
])


#: Values chosen by the type of the value they replace (most crashes hide there).
_NUMBERS = st.sampled_from([10**400, -(10**400), 1e308, -1e308, 3.5e38, 2**63, -1, 0,
                            1e-320, 0.5, True])
_STRINGS = st.sampled_from(["", "\ud800", "x" * 300, "0", "nan", "inf", "numpynn.cli.train"])


def _replacement(old) -> st.SearchStrategy:
    """A hostile value for ``old``: of its own kind mostly (a shorter list, an extreme
    number, an odd string), else anything of HOSTILE."""
    if isinstance(old, bool) or old is None:
        own = HOSTILE
    elif isinstance(old, (int, float)):
        own = _NUMBERS
    elif isinstance(old, str):
        own = _STRINGS
    elif isinstance(old, list):
        own = st.one_of(st.integers(0, max(0, len(old) - 1)).map(lambda k: old[:k]),
                        st.just(old + old), st.just([10**400] * len(old)))
    else:
        own = st.sampled_from([{}, {"a": 1}, []])
    return st.one_of(own, own, HOSTILE)


def _get(meta: dict, path: tuple):
    for key in path:
        meta = meta[key]
    return meta


def _read(path: Path) -> tuple[dict, dict[str, np.ndarray]]:
    with safe_open(str(path), framework="numpy") as handle:
        meta = json.loads(handle.metadata()["numpynn"])
        tensors = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118
    return meta, tensors


def _paths(value, prefix=()):
    """Every key path into a JSON value (dict keys and list indices)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:12]):
            yield from _paths(item, (*prefix, i))


def _set(meta: dict, path: tuple, value, delete: bool) -> None:
    parent = meta
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def _check_run(argv: list[str]) -> None:
    """One command on a mutated file: the rules of the module docstring."""
    code, out, err = _run(argv)
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert all(line.startswith("numpynn: ") for line in lines), err
    errors = [line for line in lines if line.startswith("numpynn: error:")]
    assert len(errors) == (0 if code == 0 else 1), (argv, code, err)
    if code == 0 and argv[0] == "predict":
        for row in list(csv.reader(io.StringIO(out)))[1:]:
            for cell in row:
                try:
                    value = float(cell)
                except ValueError:
                    continue  # a class label
                assert math.isfinite(value), (argv, row)
    if code == 0 and argv[0] == "evaluate":
        for line in out.splitlines():
            name, _, figure = line.partition(" ")
            if name in ("accuracy", "log-loss", "rmse", "mae"):
                assert math.isfinite(float(figure)), (argv, line)


def _all_commands(path: Path, data: Path) -> None:
    os.environ.pop("NUMPYNN_TRACEBACK", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a raw NumPy warning fails
        _check_run(["inspect", str(path)])
        _check_run(["predict", str(path), str(data)])
        _check_run(["predict", str(path), str(data), "--proba"])
        _check_run(["evaluate", str(path), str(data)])


@pytest.fixture(scope="module")
def originals(work, tmp_path_factory):
    """The two trained models as (metadata, tensors), and a scratch directory."""
    return ({name: _read(work / f"{name}.safetensors") for name in ("label", "price")},
            tmp_path_factory.mktemp("fuzz"))


@settings(FUZZ, max_examples=80)
@given(data=st.data())
def test_hostile_metadata_values_never_crash_the_command_line(work, originals, data):
    models, scratch = originals
    name = data.draw(st.sampled_from(sorted(models)))
    meta, tensors = json.loads(json.dumps(models[name][0])), models[name][1]
    # mostly what the commands read (the rest of the metadata load checks strictly)
    extra = [p for p in _paths(meta) if len(p) > 1 and p[0] == "extra"]
    paths = st.one_of(st.sampled_from(extra), st.sampled_from([p for p in _paths(meta) if p]))
    for _ in range(data.draw(st.integers(1, 2))):
        path = data.draw(paths)
        with contextlib.suppress(KeyError, IndexError, TypeError):  # gone with the first
            value = data.draw(_replacement(_get(meta, path)))
            _set(meta, path, value, delete=data.draw(st.integers(0, 5)) == 0)
    target = scratch / "meta.safetensors"
    save_file(tensors, str(target), metadata={"numpynn": json.dumps(meta)})
    _all_commands(target, work / "new.csv")


@FUZZ
@given(data=st.data())
def test_extreme_weights_never_print_inf(work, originals, data):
    models, scratch = originals
    name = data.draw(st.sampled_from(sorted(models)))
    meta, tensors = models[name]
    tensors = {k: v.copy() for k, v in tensors.items()}
    layer = data.draw(st.sampled_from(sorted(tensors)))
    flat = tensors[layer].reshape(-1)
    count = data.draw(st.integers(1, flat.size))
    value = data.draw(st.sampled_from([3.4e38, -3.4e38, 1e30, -1e30, 1e19, 1e10]))
    flat[:count] = np.float32(value)
    target = scratch / "weights.safetensors"
    save_file(tensors, str(target), metadata={"numpynn": json.dumps(meta)})
    _all_commands(target, work / "new.csv")


@FUZZ
@given(data=st.data())
def test_flipped_bytes_never_crash_the_command_line(work, originals, data):
    _, scratch = originals
    name = data.draw(st.sampled_from(["label", "price"]))
    raw = bytearray((work / f"{name}.safetensors").read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] ^= 1 << data.draw(st.integers(0, 7))
    target = scratch / "flipped.safetensors"
    target.write_bytes(bytes(raw))
    _all_commands(target, work / "new.csv")
