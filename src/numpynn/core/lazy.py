"""Lazy collections (Dask arrays and dataframes): the registry that ``eval`` and ``predict``
hand them to.

The model (:mod:`numpynn.network`) and the estimators cannot import the distributed layer
above them, nor Dask itself.  Instead the adapter for a library registers itself here when
its module is imported (:mod:`numpynn.distributed` does, for Dask), and the package root
names that module as the *provider* for the library, so that ``net.eval(dask_array)`` works
without an explicit import and without importing Dask before a Dask object is seen.

An adapter is any object with

``network_outputs(network, x, method)``
    ``method`` is ``"eval"`` or ``"predict"``; returns the lazy result.
``estimator_outputs(estimator, x, method)``
    ``method`` names the estimator's method (``"predict"``, ``"predict_proba"``, ...).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["lazy_adapter", "register_adapter", "register_provider"]

_ADAPTERS: dict[str, Any] = {}
#: library -> module that registers the library's adapter when imported
_PROVIDERS: dict[str, str] = {}
#: the libraries of lazy collections that numpynn knows of, for the error message
_KNOWN = {"dask": "numpynn.distributed (pip install numpynn[dask])"}


def register_adapter(library: str, adapter: Any) -> None:
    """Route inputs whose type is defined in ``library`` (its top-level package) to
    ``adapter``."""
    _ADAPTERS[library] = adapter


def register_provider(library: str, module: str) -> None:
    """Import ``module`` (which calls :func:`register_adapter`) the first time an input
    from ``library`` arrives."""
    _PROVIDERS[library] = module


def lazy_adapter(x: Any) -> Any | None:
    """The adapter for ``x`` when it is a lazy collection, else None.

    Costs one attribute look-up and one dict look-up for ordinary input.

    Raises
    ------
    TypeError
        ``x`` comes from a library of lazy collections whose adapter is not available.
    """
    library = type(x).__module__.partition(".")[0]
    adapter = _ADAPTERS.get(library)
    if adapter is not None or (library not in _PROVIDERS and library not in _KNOWN):
        return adapter
    module = _PROVIDERS.pop(library, None)
    if module is not None:
        try:
            importlib.import_module(module)
        except ImportError as err:
            raise TypeError(f"X is a {library} collection ({type(x).__name__}), and "
                            f"{module} could not be imported to compute on it: {err}"
                            ) from None
    adapter = _ADAPTERS.get(library)
    if adapter is None and library in _KNOWN:
        raise TypeError(f"X is a {library} collection ({type(x).__name__}): import "
                        f"{_KNOWN[library]} to compute on it lazily, or pass an in-memory "
                        "array")
    return adapter
