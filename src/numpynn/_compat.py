"""Import paths of numpynn 0.1 that moved in the layered layout, kept working.

``import numpynn.activations`` (and ``numpynn.files``, ``numpynn.optimizers``, ...) gives the
module that now lives in a layer package: the same module object, so private names and
``monkeypatch`` targets behave as before.  New code imports the layer paths.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

#: old module name -> where it lives now
MOVED = {
    "activations": "numpynn.core.activations",
    "losses": "numpynn.core.losses",
    "initializers": "numpynn.core.initializers",
    "_kernels": "numpynn.core.kernels.switch",
    "_numba_kernels": "numpynn.core.kernels.numba_kernels",
    "_parallel": "numpynn.core.kernels.threads",
    "optimizers": "numpynn.training.optimizers",
    "progress": "numpynn.training.progress",
    "gradcheck": "numpynn.training.gradcheck",
    "files": "numpynn.io.model_files",
    "_atomic": "numpynn.io.atomic",
    "datasets": "numpynn.tabular.datasets",
}

_LAZY = {"_numba_kernels", "datasets"}  # importing these costs time (Numba) or more


def install(package: str = "numpynn") -> None:
    """Register the old names in ``sys.modules`` (lazy ones through a finder)."""
    parent = sys.modules[package]
    for old, new in MOVED.items():
        if old not in _LAZY:
            module = importlib.import_module(new)
            sys.modules[f"{package}.{old}"] = module
            if not hasattr(parent, old):  # numpynn.gradcheck stays the function
                setattr(parent, old, module)
    sys.meta_path.insert(0, _MovedModuleFinder(package))


class _MovedModuleFinder:
    """Finds ``numpynn.<old name>`` for the lazily moved modules, on first import."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, fullname, path=None, target=None):  # noqa: D102 - importlib protocol
        prefix, _, old = fullname.rpartition(".")
        if prefix != self.package or old not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, _AliasLoader(MOVED[old]))


class _AliasLoader:
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module) -> None:
        pass
