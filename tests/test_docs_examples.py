"""The code blocks of README.md and of the user guide run, and print what the page shows.

Each page's blocks run in page order, in one namespace, in a fresh temporary directory:

- ```` ```python ````: executed.  What it prints must match the ```` ```output ```` block
  that follows it, or be nothing when no such block follows.
- ```` ```pycon ````: doctest examples (``>>>`` lines and what they print, tracebacks
  included), in the same namespace.
- ```` ```console ````: each ``$ command`` line runs in bash (``numpynn`` is this Python's
  ``python -m numpynn``); the lines under it, up to the next ``$``, are what it prints
  (stdout and stderr together).  A command must exit with status 0.
- Any other block (``sh``, ``text``, ...) is shown, not run.  A ``sh`` block that runs
  ``numpynn``, or a ``python`` or ``console`` block that is not to run, is marked with an
  HTML comment right above it, ``<!-- not run: why -->``, which readers of the rendered
  page do not see.

Output is compared as doctest does, with ``ELLIPSIS`` (``...`` matches anything, e.g. a
time) and ``NORMALIZE_WHITESPACE``.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

markdown_it = pytest.importorskip("markdown_it")

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
PAGES = [p for p in PAGES if "_build" not in p.parts and "_generated" not in p.parts]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
NOT_RUN = re.compile(r"^<!--\s*not run:\s*\S.*-->\s*$", re.DOTALL)
RUN_LANGUAGES = {"python", "pycon", "console"}
COMMAND_TIMEOUT_S = 300


@dataclass
class Block:
    language: str
    code: str
    line: int  # 1-based line of the block's first code line
    expected: str | None = None  # the ```output block under a python block
    not_run: bool = False


def read_blocks(page: Path) -> list[Block]:
    """The fenced blocks of ``page``, each python block with its ```output block."""
    tokens = markdown_it.MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
    blocks: list[Block] = []
    previous = None
    for token in tokens:
        if token.type == "fence":
            language = token.info.strip().split(" ")[0]
            if language == "output" and blocks and blocks[-1].language == "python" \
                    and blocks[-1].expected is None:
                blocks[-1].expected = token.content
            else:
                marked = previous is not None and previous.type == "html_block" \
                    and NOT_RUN.match(previous.content.strip()) is not None
                blocks.append(Block(language, token.content, token.map[0] + 2,
                                    not_run=marked))
        previous = token
    return blocks


def _match(expected: str, got: str, where: str) -> None:
    checker = doctest.OutputChecker()
    if not checker.check_output(expected, got, FLAGS):
        example = doctest.Example("", expected)
        pytest.fail(f"{where}: the output differs from what the page shows\n"
                    + checker.output_difference(example, got, FLAGS), pytrace=False)


def run_python(block: Block, namespace: dict, where: str) -> None:
    code = compile("\n" * (block.line - 1) + block.code, where.rsplit(":", 1)[0], "exec")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, namespace)
    _match(block.expected or "", printed.getvalue(), where)


def run_pycon(block: Block, namespace: dict, where: str) -> None:
    test = doctest.DocTestParser().get_doctest(block.code, namespace, where, where,
                                               block.line - 1)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = io.StringIO()
    runner.run(test, out=report.write, clear_globs=False)
    namespace.update(test.globs)  # DocTest ran in a copy: keep what the examples defined
    if runner.failures:
        pytest.fail(f"{where}:\n{report.getvalue()}", pytrace=False)


def console_commands(code: str) -> list[tuple[str, str]]:
    """``(command, expected output)`` pairs of a console block (``\\`` continues)."""
    commands: list[tuple[str, list[str]]] = []
    lines = code.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command[:-1] + " " + lines[i].strip()
            commands.append((command, []))
        elif commands:
            commands[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"console block: output before the first '$ ' line: {line!r}")
        i += 1
    return [(command, "\n".join(out).strip("\n") + "\n" if out else "")
            for command, out in commands]


def command_environment(bin_dir: Path) -> dict[str, str]:
    """This Python as ``numpynn`` on PATH, the tests' PYTHONPATH, fixed terminal width."""
    shim = bin_dir / "numpynn"
    if not shim.exists():
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m numpynn "$@"\n')
        shim.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env.update(COLUMNS="80", MPLBACKEND="Agg", PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1")
    env.pop("NUMPYNN_TRACEBACK", None)
    return env


def run_console(block: Block, env: dict[str, str], where: str) -> None:
    for command, expected in console_commands(block.code):
        done = subprocess.run(["bash", "-c", command], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=COMMAND_TIMEOUT_S)
        if done.returncode != 0:
            pytest.fail(f"{where}: `{command}` exited {done.returncode}:\n{done.stdout}",
                        pytrace=False)
        _match(expected, done.stdout, f"{where}: `{command}`")


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_examples_print_what_the_page_shows(page: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = [b for b in read_blocks(page) if b.language in RUN_LANGUAGES and not b.not_run]
    if not blocks:
        pytest.skip("no code to run on this page")
    work = tmp_path / "work"
    work.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.chdir(work)
    env = command_environment(bin_dir)
    namespace: dict = {"__name__": "__docs__"}
    name = page.relative_to(ROOT)
    with np.printoptions():  # a page may set print options: they end with it
        try:
            for block in blocks:
                where = f"{name}:{block.line}"
                if block.language == "python":
                    run_python(block, namespace, where)
                elif block.language == "pycon":
                    run_pycon(block, namespace, where)
                else:
                    run_console(block, env, where)
        finally:
            if "matplotlib.pyplot" in sys.modules:
                sys.modules["matplotlib.pyplot"].close("all")


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_shell_blocks_that_run_numpynn_are_run_or_marked(page: Path) -> None:
    unmarked = [f"{page.name}:{b.line}" for b in read_blocks(page)
                if b.language in {"sh", "bash", "shell"} and not b.not_run
                and re.search(r"(^|[\s;&|])numpynn\s", b.code)]
    assert not unmarked, (
        f"sh blocks that run numpynn but are not run by this test: {unmarked}; make them "
        "```console blocks ($ lines and their output) or mark them <!-- not run: why -->")


def test_blocks_are_read_with_their_output_and_marks(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python\nprint(1)\n```\n\n```output\n1\n```\n\n"
                    "<!-- not run: needs a GPU -->\n```python\nimport cupy\n```\n\n"
                    "```console\n$ echo a \\\n  b\na b\n$ true\n```\n")
    python, skipped, console = read_blocks(page)
    assert (python.language, python.code, python.expected, python.line) == \
        ("python", "print(1)\n", "1\n", 4)
    assert skipped.not_run and not python.not_run and not console.not_run
    assert console_commands(console.code) == [("echo a  b", "a b\n"), ("true", "")]


def test_output_mismatch_fails() -> None:
    with pytest.raises(pytest.fail.Exception, match="differs"):
        run_python(Block("python", "print(2)\n", 1, expected="1\n"), {}, "page.md:1")
    run_python(Block("python", "print('took 1.5 s')\n", 1, expected="took ... s\n"), {},
               "page.md:1")
