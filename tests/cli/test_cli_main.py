"""``numpynn`` itself: the subcommand list, help, exit statuses, and every kind of bad input
(one line on stderr, non-zero exit, no traceback, nothing written)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import types

import pytest

pytest.importorskip("safetensors")

from cli_helpers import make_rows, ok, run, write_rows  # noqa: E402


def test_help_lists_every_subcommand(tmp_path):
    proc = ok(run("--help", cwd=tmp_path))
    for command in ("demo", "train", "predict", "evaluate", "inspect"):
        assert re.search(rf"^\s+{command}\s", proc.stdout, re.M), command
    for command, option in (("train", "--checkpoint-dir"), ("predict", "--proba"),
                            ("evaluate", "--target"), ("inspect", "--diagram"),
                            ("demo", "--help")):
        assert option in ok(run(command, "--help", cwd=tmp_path)).stdout


def test_no_command_prints_help_and_fails(tmp_path):
    proc = run(cwd=tmp_path)
    assert proc.returncode == 2
    assert "train" in proc.stdout


BAD_COMMANDS = {
    "missing data file": ["train", "nope.csv", "--target", "y"],
    "unknown target column": ["train", "small.csv", "--target", "colour"],
    "non-numeric value in a numeric column": ["train", "typo.csv", "--target", "y"],
    "non-numeric value at predict time": ["evaluate", "../label.safetensors",
                                          "evaluate_typo.csv"],
    "malformed --hidden": ["train", "small.csv", "--target", "label", "--hidden", "16,x"],
    "zero in --hidden": ["train", "small.csv", "--target", "label", "--hidden", "16,0"],
    "negative --lr": ["train", "small.csv", "--target", "label", "--lr", "-0.1"],
    "non-numeric --lr": ["train", "small.csv", "--target", "label", "--lr", "fast"],
    "infinite --lr": ["train", "small.csv", "--target", "label", "--lr", "inf"],
    "zero --epochs": ["train", "small.csv", "--target", "label", "--epochs", "0"],
    "fractional --epochs": ["train", "small.csv", "--target", "label", "--epochs", "1.5"],
    "--dropout 1": ["train", "small.csv", "--target", "label", "--dropout", "1"],
    "--validation-split 1": ["train", "small.csv", "--target", "label",
                             "--validation-split", "1"],
    "--resume without --checkpoint-dir": ["train", "small.csv", "--target", "label",
                                          "--resume"],
    "DATA without --target": ["train", "small.csv"],
    "CSV with no data rows": ["train", "empty_rows.csv", "--target", "y"],
    "model that is not a model": ["predict", "not_a_model.safetensors", "small.csv"],
    "missing model": ["inspect", "missing.safetensors"],
    "a CSV as the model": ["evaluate", "small.csv", "small.csv"],
    "missing predict data": ["predict", "../label.safetensors", "nope.csv"],
    "unknown evaluate target": ["evaluate", "../label.safetensors", "small.csv", "--target",
                                "nope"],
    "evaluate target that is a feature": ["evaluate", "../label.safetensors", "small.csv",
                                          "--target", "age"],
    "--out in a missing directory": ["train", "small.csv", "--target", "label", "--out",
                                     "no/such/dir/m.safetensors"],
    "--out is the training data": ["train", "small.csv", "--target", "label", "--out",
                                   "small.csv"],
    "predict --out is the input": ["predict", "../label.safetensors", "small.csv", "--out",
                                   "small.csv"],
    "unknown subcommand": ["fly"],
    "unknown option": ["train", "--colour", "red"],
    "diverging training": ["train", "small.csv", "--target", "price", "--optimizer", "sgd",
                           "--lr", "1e30", "--out", "diverged.safetensors"],
    "lbfgs with checkpoints": ["train", "small.csv", "--target", "label", "--optimizer",
                               "lbfgs", "--checkpoint-dir", "ck"],
    "lbfgs with --lr": ["train", "small.csv", "--target", "label", "--optimizer", "lbfgs",
                        "--lr", "0.1"],
    "lbfgs with --batch-size and --dropout": ["train", "small.csv", "--target", "label",
                                              "--optimizer", "lbfgs", "--batch-size", "8",
                                              "--dropout", "0.1"],
    "lbfgs on a cluster with --lr": ["train", "small.csv", "--target", "label", "--workers",
                                     "2", "--optimizer", "lbfgs", "--lr", "0.1"],
    "lbfgs on a cluster with --sync-every": ["train", "small.csv", "--target", "label",
                                             "--workers", "2", "--optimizer", "lbfgs",
                                             "--sync-every", "3"],
    "cluster with --class-weight and --na-values": ["train", "small.csv", "--target",
                                                    "label", "--workers", "2",
                                                    "--class-weight", "balanced",
                                                    "--na-values", "?"],
}


@pytest.mark.parametrize("case", sorted(BAD_COMMANDS))
def test_bad_input_is_one_line_on_stderr(bad_inputs, case):
    before = {p.name: p.read_bytes() for p in bad_inputs.iterdir() if p.is_file()}
    proc = run(*BAD_COMMANDS[case], cwd=bad_inputs)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("numpynn: error: ")
    assert len(lines[0]) > len("numpynn: error: ") + 10
    # nothing was written or changed
    after = {p.name: p.read_bytes() for p in bad_inputs.iterdir() if p.is_file()}
    assert after == before


def test_bad_input_messages_name_the_problem(bad_inputs):
    messages = {case: run(*BAD_COMMANDS[case], cwd=bad_inputs).stderr for case in (
        "unknown target column", "non-numeric value in a numeric column", "malformed --hidden",
        "non-numeric value at predict time", "CSV with no data rows", "missing data file",
        "diverging training")}
    assert "'colour'" in messages["unknown target column"]
    assert "'age'" in messages["unknown target column"]  # lists the columns there are
    assert "'7,5'" in messages["non-numeric value in a numeric column"]
    assert "line 9" in messages["non-numeric value in a numeric column"]
    assert "16,x" in messages["malformed --hidden"]
    assert "'abc'" in messages["non-numeric value at predict time"]
    assert "no data rows" in messages["CSV with no data rows"]
    assert "nope.csv" in messages["missing data file"]
    assert re.search(r"diverged in epoch [1-9]", messages["diverging training"])
    assert "usage" not in "".join(messages.values())


def test_options_a_solver_or_the_cluster_cannot_honour_are_named(bad_inputs):
    for case, flags in (("lbfgs with --lr", ["--lr"]),
                        ("lbfgs with --batch-size and --dropout", ["--batch-size", "--dropout"]),
                        ("lbfgs on a cluster with --lr", ["--lr"]),
                        ("lbfgs on a cluster with --sync-every", ["--sync-every"])):
        proc = run(*BAD_COMMANDS[case], cwd=bad_inputs)
        assert proc.returncode == 2, case
        assert "--optimizer lbfgs" in proc.stderr, proc.stderr
        assert all(flag in proc.stderr for flag in flags), proc.stderr
    proc = run(*BAD_COMMANDS["cluster with --class-weight and --na-values"], cwd=bad_inputs)
    assert "--class-weight, --na-values are not available with --scheduler/--workers" in \
        proc.stderr, proc.stderr


def test_exit_codes(bad_inputs):
    assert run(*BAD_COMMANDS["malformed --hidden"], cwd=bad_inputs).returncode == 2
    assert run(*BAD_COMMANDS["missing data file"], cwd=bad_inputs).returncode == 1
    assert run(*BAD_COMMANDS["model that is not a model"], cwd=bad_inputs).returncode == 1


def test_a_closed_stdout_pipe_is_not_an_error(work, tmp_path):
    write_rows(tmp_path / "many.csv", make_rows(6000, seed=5))
    proc = subprocess.Popen(
        [sys.executable, "-m", "numpynn", "predict", str(work / "label.safetensors"),
         "many.csv", "--proba"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline().startswith(b"label,P(high)")
    proc.stdout.close()  # like `| head -1`
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    proc.wait(timeout=60)
    assert "Traceback" not in stderr and stderr == ""
    assert proc.returncode != 0


# ------------------------------------------------------------- the subcommand interface


def cli_main_module():
    """The module numpynn.cli.main (the attribute ``numpynn.cli.main`` is its function)."""
    return importlib.import_module("numpynn.cli.main")


def test_the_entry_points_and_every_subcommand_module():
    import numpynn.cli

    module = cli_main_module()
    assert numpynn.cli.main is module.main and numpynn.cli.build_parser is module.build_parser
    names = [command.__name__.rsplit(".", 1)[1] for command in module.SUBCOMMANDS]
    assert names == ["demo", "train", "predict", "evaluate", "inspect", "export"]
    for command in module.SUBCOMMANDS:
        assert callable(command.add_parser) and callable(command.run), command.__name__
    args = module.build_parser().parse_args(["inspect", "m.safetensors"])
    assert args.handler is module.SUBCOMMANDS[names.index("inspect")].run
    assert args.parser.prog == "numpynn inspect"


def test_one_entry_in_subcommands_adds_a_subcommand(monkeypatch, capsys):
    """A module with add_parser and run, listed in SUBCOMMANDS, is a working subcommand."""
    from numpynn.cli.common import CommandError

    module = cli_main_module()
    seen = []

    def add_parser(subparsers):
        parser = subparsers.add_parser("echo", help="print the words")
        parser.add_argument("words", nargs="*")
        return parser

    def run_echo(args):
        seen.append(args.words)
        if args.words == ["fail"]:
            raise CommandError("asked to fail")
        if args.words == ["usage"]:
            args.parser.error("wrong use")
        return 0

    echo = types.SimpleNamespace(add_parser=add_parser, run=run_echo)
    monkeypatch.setattr(module, "SUBCOMMANDS", (*module.SUBCOMMANDS, echo))
    assert "echo" in module.build_parser().format_help()
    assert module.main(["echo", "a", "b"]) == 0
    assert seen == [["a", "b"]]
    assert module.main(["echo", "fail"]) == 1
    assert capsys.readouterr().err == "numpynn: error: asked to fail\n"
    with pytest.raises(SystemExit) as exit_info:
        module.main(["echo", "usage"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == \
        "numpynn: error: wrong use (see 'numpynn echo --help')\n"
