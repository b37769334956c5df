"""numpynn.io.atomic: an atomic write gives a new file the permissions any new file gets
(from the umask), even when the writer replaces the temporary file with one of its own."""

import os
import stat

import numpy as np
import pytest

from numpynn.io.atomic import atomic_open, atomic_path

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_file_gets_the_umask_permissions(tmp_path, umask_022):
    with atomic_open(tmp_path / "a.csv", "w") as fh:
        fh.write("x\n")
    assert _mode(tmp_path / "a.csv") == 0o644


def test_a_writer_that_replaces_the_temporary_file_does_not_make_it_private(tmp_path,
                                                                            umask_022):
    # safetensors.numpy.save_file writes its own file (mode 0600) over the path it is given
    target = tmp_path / "model.safetensors"
    with atomic_path(target) as tmp:
        tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, b"data")
        os.close(fd)
    assert target.read_bytes() == b"data" and _mode(target) == 0o644


def test_a_saved_model_file_is_readable_like_any_new_file(tmp_path, umask_022):
    pytest.importorskip("safetensors")
    import numpynn

    net = numpynn.NeuralNetwork(2, 3, 2, seed=0)
    net.save(tmp_path / "m.safetensors")
    assert _mode(tmp_path / "m.safetensors") == 0o644
    assert np.array_equal(numpynn.load(tmp_path / "m.safetensors").theta, net.theta)


def test_an_existing_file_keeps_its_permissions(tmp_path, umask_022):
    target = tmp_path / "b.csv"
    target.write_text("old\n")
    os.chmod(target, 0o600)
    with atomic_open(target, "w") as fh:
        fh.write("new\n")
    assert target.read_text() == "new\n" and _mode(target) == 0o600


@pytest.mark.parametrize("where", ["checking the old file", "writing"])
def test_ctrl_c_at_any_point_leaves_no_temporary_file(tmp_path, monkeypatch, where):
    target = tmp_path / "latest"
    target.write_text("old")
    real_stat = os.stat

    def interrupted_stat(path, *args, **kwargs):
        if str(path) == str(target):  # the permissions to keep: just after the tmp file
            raise KeyboardInterrupt
        return real_stat(path, *args, **kwargs)

    if where == "checking the old file":
        monkeypatch.setattr(os, "stat", interrupted_stat)
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(target, "w") as fh:
            fh.write("new")
            raise KeyboardInterrupt
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["latest"]


def test_a_temporary_name_taken_by_another_file_is_left_alone(tmp_path, monkeypatch):
    import secrets

    target = tmp_path / "model.bin"
    monkeypatch.setattr(secrets, "token_hex", lambda n: "a" * (2 * n))
    theirs = tmp_path / f".model.bin.{os.getpid()}.{'a' * 12}.tmp"
    theirs.write_text("someone else's")
    with pytest.raises(FileExistsError):
        with atomic_open(target) as fh:
            fh.write(b"x")
    assert theirs.read_text() == "someone else's" and not target.exists()
