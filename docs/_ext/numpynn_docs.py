"""What the documentation makes by running numpynn at build time.

* ``_generated/cli/*.txt``: the ``--help`` text of ``numpynn`` and of every subcommand,
  produced by the parser itself (``numpynn.cli.main([..., "--help"])``), so the guide and
  the reference never show a stale copy; ``commands.rst`` includes them all, one section
  per subcommand of ``numpynn.cli.main.SUBCOMMANDS``.
* ``_generated/figure2.png``: the article's Figure 2, drawn by ``numpynn inspect
  --diagram`` from a model file of the article's 3-4-2 network.
* A check that every public name (the ``__all__`` of :data:`PUBLIC_MODULES`) has a page in
  the API reference: a name missing there is a warning, so ``sphinx -W`` fails on it.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import tempfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The modules whose ``__all__`` the reference must cover (the public face of each layer).
PUBLIC_MODULES = (
    "numpynn",
    "numpynn.training",
    "numpynn.io",
    "numpynn.tabular",
    "numpynn.tabular.datasets",
    "numpynn.plots",
    "numpynn.sklearn",
    "numpynn.cli",
)
#: Width of the generated help texts (argparse reads COLUMNS).
HELP_COLUMNS = "78"


def _help_text(args: list[str]) -> str:
    from numpynn.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main([*args, "--help"])
        except SystemExit as stop:  # argparse exits after printing the help
            if stop.code not in (0, None):
                raise RuntimeError(f"numpynn {' '.join(args)} --help exited {stop.code}") from None
    return out.getvalue()


def subcommand_names() -> list[str]:
    """The subcommands, in the order of ``numpynn.cli.main.SUBCOMMANDS``."""
    main_module = importlib.import_module("numpynn.cli.main")
    return [module.__name__.rsplit(".", 1)[-1] for module in main_module.SUBCOMMANDS]


def write_help_texts(out_dir: Path) -> None:
    """``numpynn.txt`` and ``<subcommand>.txt`` in ``out_dir``: each parser's --help."""
    out_dir.mkdir(parents=True, exist_ok=True)
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS
    try:
        _write_if_changed(out_dir / "numpynn.txt", _help_text([]))
        sections = [_help_section("numpynn", "numpynn.txt")]
        for name in subcommand_names():
            _write_if_changed(out_dir / f"{name}.txt", _help_text([name]))
            sections.append(_help_section(f"numpynn {name}", f"{name}.txt"))
        _write_if_changed(out_dir / "commands.rst", "\n".join(sections))
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def _help_section(title: str, file_name: str) -> str:
    return (f"{title}\n{'-' * len(title)}\n\n"
            f".. literalinclude:: /_generated/cli/{file_name}\n   :language: text\n")


def write_figure2(path: Path) -> None:
    """The article's network with its weights, drawn by ``numpynn inspect --diagram``."""
    import numpy as np

    import numpynn
    from numpynn.cli import main

    net = numpynn.NeuralNetwork(3, 4, 2)
    net.set_weights(np.arange(1, 27, dtype=np.float32) / 100)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "article.safetensors"
        net.save(model)
        with contextlib.redirect_stdout(io.StringIO()):
            status = main(["inspect", str(model), "--diagram", str(path), "--no-weights"])
    if status != 0:
        raise RuntimeError(f"numpynn inspect --diagram exited {status}")


def _write_if_changed(path: Path, text: str) -> None:
    # an unchanged file keeps its time stamp, so incremental builds stay incremental
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(app: Sphinx) -> None:
    generated = Path(app.srcdir) / "_generated"
    write_help_texts(generated / "cli")
    write_figure2(generated / "figure2.png")


def public_names() -> list[str]:
    """Fully qualified public names: ``module.name`` for each name in ``module.__all__``."""
    names = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        names += [f"{module_name}.{name}" for name in module.__all__ if name != "__version__"]
    return names


def check_reference(app: Sphinx, env) -> None:
    """Warn for every public name that no page of the reference documents."""
    documented = set(env.get_domain("py").objects)
    for name in public_names():
        if name not in documented and not _documented_elsewhere(name, documented):
            logger.warning("public name %s has no page in the API reference (docs/api/)", name)


def _documented_elsewhere(name: str, documented: set[str]) -> bool:
    """A re-exported name counts once, under any module that exports the same object."""
    module_name, attr = name.rsplit(".", 1)
    obj = getattr(importlib.import_module(module_name), attr)
    for other in PUBLIC_MODULES:
        module = importlib.import_module(other)
        if f"{other}.{attr}" in documented and getattr(module, attr, None) is obj:
            return True
    return False


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", generate)
    app.connect("env-check-consistency", check_reference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
