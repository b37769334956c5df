"""Checkpoints: crash-safe writes, the newest valid one read back, 0.1 checkpoints read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

safetensors_numpy = pytest.importorskip("safetensors.numpy")
from model_file_helpers import (  # noqa: E402  (tests/io is on sys.path: no package)
    ARTICLE_THETA,
    article_contents,
    article_tensors,
    crafted,
    deep_contents,
    metadata_dict,
    raw_file,
)
from numpynn.files import (  # noqa: E402
    read_latest_checkpoint,
    read_model_file,
    write_checkpoint,
    write_model_file,
)

from numpynn.errors import ModelFileError  # noqa: E402


def _arrays(epoch: int) -> dict:
    return {
        "optimizer.m": np.full(26, 0.5 * epoch, dtype=np.float32),
        "optimizer.v": np.linspace(0, 1, 26, dtype=np.float32),
        "optimizer.counts": np.arange(6, dtype=np.int64).reshape(2, 3),
        "early_stopping.best_theta": ARTICLE_THETA * epoch,
    }


def _training_state(epoch: int, rng: np.random.Generator) -> dict:
    return {
        "epoch": epoch,
        "history": {"loss": [1.0 / (e + 1) for e in range(epoch + 1)], "val_loss": []},
        "best_epoch": epoch,
        "rng": rng.bit_generator.state,
        "optimizer": {"step": 10 * epoch, "learning_rate": 0.001},
    }


def _checkpoint_names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("checkpoint"))


def test_checkpoints_keep_last_two_and_read_newest(tmp_path):
    rng = np.random.default_rng(42)
    directory = tmp_path / "ckpt"
    for epoch in range(1, 6):
        contents = article_contents({"epoch_written": epoch})
        path = write_checkpoint(directory, contents, _arrays(epoch), _training_state(epoch, rng))
        assert path == directory / f"checkpoint-epoch{epoch:06d}.safetensors"
        rng.random(3)
    assert _checkpoint_names(directory) == [
        "checkpoint-epoch000004.safetensors",
        "checkpoint-epoch000005.safetensors",
    ]
    assert (directory / "latest").read_text().strip() == "checkpoint-epoch000005.safetensors"
    contents, arrays, training_state = read_latest_checkpoint(directory)
    assert contents.extra == {"epoch_written": 5}
    assert contents.theta.tobytes() == ARTICLE_THETA.tobytes()
    assert training_state["epoch"] == 5
    assert training_state["optimizer"]["step"] == 50
    np.testing.assert_array_equal(arrays["optimizer.m"], np.full(26, 2.5, dtype=np.float32))


def test_checkpoint_state_round_trips_exactly(tmp_path):
    rng = np.random.default_rng(2024)
    rng.standard_normal(10)
    state = _arrays(3)
    training = _training_state(3, rng)
    expected_draws = rng.standard_normal(5)  # what the generator yields after the save

    write_checkpoint(tmp_path, deep_contents(), state, training)
    contents, arrays, training_state = read_latest_checkpoint(tmp_path)

    assert contents == deep_contents()
    assert set(arrays) == set(state)
    for name, array in state.items():
        assert arrays[name].dtype == array.dtype
        assert arrays[name].shape == array.shape
        np.testing.assert_array_equal(arrays[name], array)
        assert arrays[name].flags.writeable
    assert training_state["optimizer"] == {"step": 30, "learning_rate": 0.001}
    assert type(training_state["optimizer"]["step"]) is int
    assert type(training_state["optimizer"]["learning_rate"]) is float
    assert training_state["history"] == training["history"]
    assert training_state["rng"] == training["rng"]

    restored = np.random.default_rng()
    restored.bit_generator.state = training_state["rng"]
    np.testing.assert_array_equal(restored.standard_normal(5), expected_draws)


def test_arrays_of_any_shape_and_storable_dtype_round_trip(tmp_path):
    arrays = {
        "a.scalar": np.array(1.5, dtype=np.float64),
        "a.empty": np.zeros((0, 3), dtype=np.float32),
        "a.flags": np.array([True, False]),
        "a.big_endian": np.arange(4, dtype=">i4"),
        "a.strided": np.arange(10, dtype=np.float32)[::2],
        "a.half": np.array([0.5, -2.0], dtype=np.float16),
    }
    write_checkpoint(tmp_path, article_contents(), arrays, {"epoch": 0})
    _, back, _ = read_latest_checkpoint(tmp_path)
    for name, array in arrays.items():
        assert back[name].shape == array.shape
        assert back[name].dtype == array.dtype.newbyteorder("=")
        np.testing.assert_array_equal(back[name], array)


def test_mt19937_state_round_trips(tmp_path):
    rng = np.random.Generator(np.random.MT19937(7))
    state = rng.bit_generator.state
    expected = rng.random(4)
    write_checkpoint(tmp_path, article_contents(), {}, {"epoch": 0, "rng": state})
    _, _, training_state = read_latest_checkpoint(tmp_path)
    restored = np.random.Generator(np.random.MT19937())
    restored.bit_generator.state = training_state["rng"]
    np.testing.assert_array_equal(restored.random(4), expected)


def test_damaged_newest_checkpoint_falls_back_with_warning(tmp_path):
    rng = np.random.default_rng(0)
    for epoch in (1, 2):
        write_checkpoint(tmp_path, article_contents(), _arrays(epoch), _training_state(epoch, rng))
    newest = tmp_path / "checkpoint-epoch000002.safetensors"
    newest.write_bytes(newest.read_bytes()[:100])  # cut inside the header
    with pytest.warns(UserWarning, match="checkpoint-epoch000002.*invalid header length"):
        contents, arrays, training_state = read_latest_checkpoint(tmp_path)
    assert training_state["epoch"] == 1
    assert training_state["optimizer"]["step"] == 10
    np.testing.assert_array_equal(arrays["optimizer.m"], np.full(26, 0.5, dtype=np.float32))
    assert contents == article_contents()


def test_checkpoint_with_non_finite_state_array_is_skipped(tmp_path):
    write_checkpoint(tmp_path, article_contents(), _arrays(1), {"epoch": 1})
    meta = metadata_dict(state_arrays=["optimizer.m"], training_state={"epoch": 2})
    tensors = article_tensors()
    tensors["optimizer.m"] = np.array([1.0, np.nan], dtype=np.float32)
    (tmp_path / "checkpoint-epoch000002.safetensors").write_bytes(crafted(meta, tensors))
    (tmp_path / "latest").unlink()
    with pytest.warns(UserWarning, match=r"tensor 'optimizer.m' holds non-finite values"):
        _, _, training_state = read_latest_checkpoint(tmp_path)
    assert training_state["epoch"] == 1


def test_all_checkpoints_damaged_raises(tmp_path):
    for epoch in (1, 2):
        write_checkpoint(tmp_path, article_contents(), {}, {"epoch": epoch})
    for path in tmp_path.glob("checkpoint-*"):
        path.write_bytes(b"garbage")
    with pytest.warns(UserWarning), pytest.raises(ModelFileError, match="no valid checkpoint"):
        read_latest_checkpoint(tmp_path)


def test_no_checkpoint_gives_none(tmp_path):
    assert read_latest_checkpoint(tmp_path) is None
    assert read_latest_checkpoint(tmp_path / "does-not-exist") is None
    (tmp_path / "unrelated.txt").write_text("hi")
    assert read_latest_checkpoint(tmp_path) is None


def test_checkpoint_path_that_is_a_file_raises(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ModelFileError, match="not a directory"):
        read_latest_checkpoint(tmp_path / "f")


def test_plain_model_file_named_like_checkpoint_is_skipped(tmp_path):
    write_checkpoint(tmp_path, article_contents(), {}, {"epoch": 1})
    write_model_file(tmp_path / "checkpoint-epoch000009.safetensors", deep_contents())
    (tmp_path / "latest").unlink()
    with pytest.warns(UserWarning, match="not a checkpoint"):
        contents, _, training_state = read_latest_checkpoint(tmp_path)
    assert training_state == {"epoch": 1}
    assert contents.sizes == (3, 4, 2)


def test_latest_pointer_wins_over_higher_epoch(tmp_path):
    # A run restarted from scratch in an old directory: its new epoch-1 file is the latest.
    for epoch in (7, 8):
        write_checkpoint(tmp_path, article_contents(), {}, {"epoch": epoch})
    write_checkpoint(tmp_path, deep_contents(), {}, {"epoch": 1})
    assert _checkpoint_names(tmp_path) == [
        "checkpoint-epoch000001.safetensors",
        "checkpoint-epoch000008.safetensors",
    ]
    contents, _, training_state = read_latest_checkpoint(tmp_path)
    assert training_state["epoch"] == 1
    assert contents.sizes == (5, 8, 7, 6, 3)


def test_missing_pointer_falls_back_to_highest_epoch(tmp_path):
    for epoch in (3, 4):
        write_checkpoint(tmp_path, article_contents(), {}, {"epoch": epoch})
    (tmp_path / "latest").write_text("../../etc/passwd")
    _, _, training_state = read_latest_checkpoint(tmp_path)
    assert training_state["epoch"] == 4


def test_model_file_reader_accepts_a_checkpoint(tmp_path):
    path = write_checkpoint(tmp_path, deep_contents(), _arrays(1), {"epoch": 1})
    assert read_model_file(path) == deep_contents()
    names = set(safetensors_numpy.load_file(str(path)))
    assert set(_arrays(1)) <= names
    header = json.loads(path.read_bytes()[8 : 8 + int.from_bytes(path.read_bytes()[:8], "little")])
    meta = json.loads(header["__metadata__"]["numpynn"])
    assert meta["state_arrays"] == list(_arrays(1))
    assert meta["training_state"] == {"epoch": 1}


def test_failed_checkpoint_write_keeps_previous_checkpoints(tmp_path, monkeypatch):
    for epoch in (1, 2):
        write_checkpoint(tmp_path, article_contents(), {}, {"epoch": epoch})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken_replace(src, dst):
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="power cut"):
        write_checkpoint(tmp_path, article_contents(), {}, {"epoch": 3})
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert read_latest_checkpoint(tmp_path)[2] == {"epoch": 2}


def test_stale_temp_files_are_cleaned_up(tmp_path):
    stale = tmp_path / ".checkpoint-epoch000001.safetensors.abc123.tmp"
    stale.write_bytes(b"half a checkpoint")
    write_checkpoint(tmp_path, article_contents(), {}, {"epoch": 2})
    assert not stale.exists()


@pytest.mark.parametrize(
    ("arrays", "training_state", "error", "match"),
    [
        ({}, {}, ValueError, r"training_state\['epoch'\] must be an int >= 0, got None"),
        ({}, {"epoch": -1}, ValueError, r"training_state\['epoch'\] must be an int >= 0"),
        ({}, {"epoch": 1.0}, ValueError, "epoch"),
        ({}, {"epoch": 1, "history": [0.5, float("nan")]}, ValueError, "finite"),
        ({}, {"epoch": 1, "callback": print}, TypeError, "not JSON-able"),
        ({}, [("epoch", 1)], TypeError, "training_state must be a dict"),
        ({"optimizer.step": 3}, {"epoch": 1}, TypeError, "numbers belong in training_state"),
        ({"optimizer.name": "adam"}, {"epoch": 1}, TypeError, "must be a NumPy array"),
        ({"m": np.array([np.nan], np.float32)}, {"epoch": 1}, ValueError, "non-finite"),
        ({"m": np.array(["a"])}, {"epoch": 1}, ValueError, "cannot store"),
        ({3: np.zeros(1)}, {"epoch": 1}, TypeError, "arrays names must be str"),
        ({"optimizer m": np.zeros(1)}, {"epoch": 1}, ValueError, "dotted identifiers"),
        ({"": np.zeros(1)}, {"epoch": 1}, ValueError, "dotted identifiers"),
        ({"layers.0.weight": np.zeros(1)}, {"epoch": 1}, ValueError, "clashes with the model"),
        ([1, 2], {"epoch": 1}, TypeError, "arrays must be a dict"),
    ],
)
def test_invalid_checkpoint_state_is_rejected(tmp_path, arrays, training_state, error, match):
    with pytest.raises(error, match=match):
        write_checkpoint(tmp_path / "c", article_contents(), arrays, training_state)
    assert not (tmp_path / "c").exists()


# ---------------------------------------------------------------------------
# Checkpoints written by numpynn 0.1
# ---------------------------------------------------------------------------
def _v01_checkpoint(epoch: int = 3) -> bytes:
    meta = metadata_dict(
        optimizer_state={"step": 30, "learning_rate": 0.001},
        optimizer_arrays=["m", "best_theta"],
        training_state={"epoch": epoch, "history": {"loss": [0.5]}},
    )
    tensors = article_tensors()
    tensors["optimizer.m"] = np.full(26, 0.25, dtype=np.float32)
    tensors["optimizer.best_theta"] = ARTICLE_THETA.copy()
    return crafted(meta, tensors)


def test_v01_checkpoint_is_read_with_its_scalars_in_training_state(tmp_path):
    (tmp_path / "checkpoint-epoch000003.safetensors").write_bytes(_v01_checkpoint())
    contents, arrays, training_state = read_latest_checkpoint(tmp_path)
    assert contents.theta.tobytes() == ARTICLE_THETA.tobytes()
    assert set(arrays) == {"optimizer.m", "optimizer.best_theta"}
    np.testing.assert_array_equal(arrays["optimizer.m"], np.full(26, 0.25, dtype=np.float32))
    assert training_state == {
        "epoch": 3,
        "history": {"loss": [0.5]},
        "optimizer_scalars": {"step": 30, "learning_rate": 0.001},
    }


@pytest.mark.parametrize(("fields", "match"), [
    ({"state_arrays": []}, "checkpoint metadata is incomplete"),
    ({"state_arrays": [], "optimizer_arrays": [], "training_state": {"epoch": 1}},
     "checkpoint metadata is incomplete"),
    ({"state_arrays": "optimizer.m", "training_state": {"epoch": 1}},
     "state_arrays must be a list"),
    ({"state_arrays": ["layers.0.weight"], "training_state": {"epoch": 1}},
     "clashes with the model"),
    ({"state_arrays": ["a", "a"], "training_state": {"epoch": 1}}, "names an array twice"),
    ({"state_arrays": [], "training_state": {"epoch": -2}}, r"must be an int >= 0, got -2"),
    ({"state_arrays": [], "training_state": [1]}, "training_state must be a dict"),
])
def test_bad_checkpoint_metadata_is_refused(tmp_path, fields, match):
    path = tmp_path / "checkpoint-epoch000001.safetensors"
    path.write_bytes(crafted(metadata_dict(**fields)))
    with pytest.warns(UserWarning, match=match), \
            pytest.raises(ModelFileError, match="no valid checkpoint"):
        read_latest_checkpoint(tmp_path)


def test_state_array_of_a_dtype_numpy_lacks_is_refused_from_the_header(tmp_path):
    # bfloat16: safetensors knows it, NumPy does not; refused before any tensor is read.
    good = crafted(metadata_dict(state_arrays=["optimizer.m"], training_state={"epoch": 1}))
    length = int.from_bytes(good[:8], "little")
    header = json.loads(good[8 : 8 + length])
    data = good[8 + length :]
    header["optimizer.m"] = {"dtype": "BF16", "shape": [2], "data_offsets": [len(data),
                                                                            len(data) + 4]}
    path = tmp_path / "checkpoint-epoch000001.safetensors"
    path.write_bytes(raw_file(json.dumps(header).encode(), data + b"\0" * 4))
    with pytest.warns(UserWarning, match="dtype BF16, which NumPy cannot hold"), \
            pytest.raises(ModelFileError):
        read_latest_checkpoint(tmp_path)
