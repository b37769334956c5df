"""The progress bar's line (numpynn.training.progress) at terminal widths: readable at 80
columns, with a bar of at least MIN_BAR_CELLS cells and the figures shortened to fit."""

from __future__ import annotations

import io
import os
import re
import sys

import pytest

from numpynn.training.progress import EpochProgress

LOGS = {"epoch": 36, "loss": 0.0512, "val_loss": 0.0732, "accuracy": 0.983,
        "val_accuracy": 0.967}


def test_figures_get_shorter_to_fit():
    full = "loss 0.0512 val_loss 0.0732 acc 0.983 val_acc 0.967"
    assert EpochProgress.figures(LOGS) == full
    assert EpochProgress.figures(LOGS, 60) == full
    assert EpochProgress.figures(LOGS, 40) == "val_loss 0.0732 val_acc 0.967"
    assert EpochProgress.figures(LOGS, 20) == "loss 0.0512"
    assert EpochProgress.figures(LOGS, 3) == "loss 0.0512"  # the shortest there is
    training_only = {"epoch": 0, "loss": 0.5, "accuracy": 0.75}
    assert EpochProgress.figures(training_only, 25) == "loss 0.5000 acc 0.750"
    assert EpochProgress.figures(training_only, 15) == "loss 0.5000"


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal but has no size (tqdm then uses 80 columns)."""

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise OSError("no file descriptor")


def _bar_lines(text: str) -> list[str]:
    """The bar's lines after the first epoch (before it, there are no figures yet)."""
    return [seg for line in text.split("\n") for seg in line.split("\r")
            if seg.startswith("epoch") and "loss" in seg]


@pytest.mark.parametrize("total", [30, 1000])
def test_the_bar_keeps_its_cells_at_80_columns(monkeypatch, total):
    pytest.importorskip("tqdm")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.delenv("COLUMNS", raising=False)
    progress = EpochProgress(total, 0, enabled=True)
    assert progress.bar is not None
    for epoch in range(total):
        progress({**LOGS, "epoch": epoch})
    progress.close()
    lines = _bar_lines(terminal.getvalue())
    assert lines
    for line in lines:
        assert len(line) <= 80, line
        bar = re.search(r"\|(.*)\|", line).group(1)
        assert len(bar) >= EpochProgress.MIN_BAR_CELLS, line
        assert line.endswith("val_loss 0.0732 val_acc 0.967"), line  # the figures that fit


def test_a_real_terminal_of_80_and_120_columns(tmp_path):
    """``numpynn train`` under a pseudo-terminal: the line fits and the bar has its cells."""
    pty = pytest.importorskip("pty")
    pytest.importorskip("tqdm")
    import fcntl
    import struct
    import termios

    for columns in (80, 120):
        pid, fd = pty.fork()
        if pid == 0:  # the child: the command, on the terminal
            os.chdir(tmp_path)
            os.execv(sys.executable, [sys.executable, "-m", "numpynn", "train", "--epochs",
                                      "5", "--out", f"m{columns}.safetensors"])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        output = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        os.close(fd)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, output.decode(errors="replace")
        text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode("utf-8", "replace"))
        lines = _bar_lines(text)
        assert lines, text
        for line in lines:
            assert len(line) <= columns, line
            assert len(re.search(r"\|(.*)\|", line).group(1)) >= EpochProgress.MIN_BAR_CELLS
            figures = line.split(" left, ")[1]
            assert figures.startswith("val_loss" if columns == 80 else "loss "), line
            assert "val_acc 0." in figures, line
