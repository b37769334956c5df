"""The ``numpynn`` command: demo, train, predict, evaluate, inspect, export.

A thin adapter over the library: :mod:`numpynn.tabular` turns CSV columns into float32
features, :class:`numpynn.network.NeuralNetwork` trains on them, and the preprocessing state
travels in the model file's metadata (``net.save(path, metadata=...)``), so ``predict`` and
``evaluate`` apply exactly the training-time encoding.

Modules
-------
main
    :func:`build_parser` and :func:`main`: the subcommand list ``SUBCOMMANDS``, exit
    statuses, one ``numpynn: error: ...`` line for every error the user can cause.
common
    What the subcommands share: messages, output-path checks, loading a trained model,
    metrics. options: value types of command-line options.
demo, train, predict, evaluate, inspect
    One module per subcommand (``train`` uses ``training_data`` and ``checkpoints``).

The subcommand interface
------------------------
A subcommand is a module with two functions:

``add_parser(subparsers) -> argparse.ArgumentParser``
    Add the subcommand to ``subparsers`` (what ``ArgumentParser.add_subparsers`` returned):
    ``parser = subparsers.add_parser("name", help=..., description=...)``, then its
    arguments; return ``parser``.
``run(args: argparse.Namespace) -> int``
    Do the work and return the exit status (0). ``args.parser`` is the subcommand's parser:
    ``args.parser.error(text)`` reports a usage error (exit status 2). Raise
    :class:`numpynn.cli.common.CommandError` (or ``ValueError``, ``OSError``,
    ``ModelFileError``, ...) for any other error the user can fix: :func:`main` prints it as
    one line, exit status 1. Import heavy modules inside ``run``, so that ``numpynn --help``
    stays fast. Print the report with :func:`numpynn.cli.common.info`.

To add a subcommand, write ``cli/<name>.py`` with these two functions and add the module to
``SUBCOMMANDS`` in :mod:`numpynn.cli.main`: that one line is all the registration there is.
:func:`numpynn.cli.main.build_parser` sets the parser defaults ``handler`` (``run``) and
``parser``; a subcommand module never calls ``set_defaults`` for them.

``numpynn.cli.main`` is the function (the console script ``numpynn = "numpynn.cli:main"``);
the module of that name is ``importlib.import_module("numpynn.cli.main")``.
"""

from .main import build_parser, main

__all__ = ["main", "build_parser"]
