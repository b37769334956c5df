"""``coefs_`` and ``intercepts_``: lists that behave like scikit-learn's, on the network.

After ``fit`` they are lists of views into ``network_.theta``: ``est.coefs_[0][...] = W``
and ``est.coefs_[0] = W`` both write into the network (shape checked), as does assigning
a whole list.  Assigned before ``fit``, the arrays are kept and used as the starting
point of the next fit that initialises the network, as scikit-learn's ``warm_start``
would start from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["LayerArrays", "layer_arrays", "assign_layer_arrays", "apply_initial_arrays"]

_NAMES = ("coefs_", "intercepts_")
#: Where arrays assigned before ``fit`` wait for it (not fitted attributes: no ``_`` end).
_PENDING = ("_initial_coefs", "_initial_intercepts")


def _write(view: np.ndarray, value: Any, name: str) -> None:
    arr = np.asarray(value)
    if arr.shape != view.shape:
        raise ValueError(f"{name} must have shape {view.shape}, got {arr.shape}")
    if arr.dtype.kind not in "biuf" or not np.isfinite(arr).all():
        raise ValueError(f"{name} must hold finite numbers")
    view[...] = arr


class LayerArrays(list):
    """One array per layer, each a view into the network's ``theta``.

    Item assignment writes into the network (the shape must match); the number of layers
    is fixed, so methods that would change it raise TypeError.
    """

    def __init__(self, views: Sequence[np.ndarray], name: str) -> None:
        super().__init__(views)
        self._name = name

    def __setitem__(self, index: Any, value: Any) -> None:
        views = list.__getitem__(self, index)
        if isinstance(index, slice):
            values = list(value)
            if len(values) != len(views):
                raise ValueError(f"{self._name}[{index.start}:{index.stop}] takes "
                                 f"{len(views)} arrays, got {len(values)}")
            for i, (view, v) in enumerate(zip(views, values)):
                _write(view, v, f"{self._name}[{i}]")
        else:
            _write(views, value, f"{self._name}[{index}]")

    def _fixed(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(f"{self._name} holds one array per layer of the fitted network; "
                        "their number cannot change (assign arrays to its items instead)")

    append = extend = insert = pop = remove = clear = sort = reverse = _fixed
    __delitem__ = __iadd__ = __imul__ = _fixed  # type: ignore[assignment]

    def __reduce__(self) -> tuple:
        return (list, (list(self),))  # a pickled copy is a plain list of copies


def layer_arrays(est: Any, which: int) -> list:
    """The property ``coefs_`` (``which=0``) or ``intercepts_`` (1)."""
    network = est.__dict__.get("network_")
    if network is None:
        pending = est.__dict__.get(_PENDING[which])
        if pending is None:
            raise AttributeError(f"{_NAMES[which]} exists after fit (or once assigned)")
        return pending
    return LayerArrays(network.views_of(network.theta)[which], _NAMES[which])


def assign_layer_arrays(est: Any, values: Any, which: int) -> None:
    """``est.coefs_ = values`` (or ``intercepts_``): into the network after fit, kept
    for the next fit before it."""
    name = _NAMES[which]
    if isinstance(values, np.ndarray) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list of arrays, one per layer, got "
                        f"{type(values).__name__}")
    network = est.__dict__.get("network_")
    if network is None:
        arrays = [np.array(v) for v in values]
        for i, arr in enumerate(arrays):
            if arr.ndim != 2 - which or arr.dtype.kind not in "biuf":
                raise ValueError(f"{name}[{i}] must be a {2 - which}-D numeric array, "
                                 f"got shape {arr.shape} and dtype {arr.dtype}")
        est.__dict__[_PENDING[which]] = arrays
        return
    targets = network.views_of(network.theta)[which]
    if len(values) != len(targets):
        raise ValueError(f"{name} needs {len(targets)} arrays, got {len(values)}")
    checked = [np.asarray(v) for v in values]
    for i, (arr, view) in enumerate(zip(checked, targets)):
        if arr.shape != view.shape:
            raise ValueError(f"{name}[{i}] must have shape {view.shape}, got {arr.shape}")
    for i, (arr, view) in enumerate(zip(checked, targets)):
        _write(view, arr, f"{name}[{i}]")


def apply_initial_arrays(est: Any) -> None:
    """Write arrays assigned before ``fit`` into the new ``network_`` (then forget them):
    the starting point, like a warm start from them.  Shapes are checked first."""
    network = est.network_
    pending = [est.__dict__.get(key) for key in _PENDING]
    views = network.views_of(network.theta)
    for which, arrays in enumerate(pending):
        if arrays is None:
            continue
        if len(arrays) != len(views[which]):
            raise ValueError(f"{_NAMES[which]} assigned before fit holds {len(arrays)} "
                             f"arrays, but the network has {len(views[which])} layers")
        for i, (arr, view) in enumerate(zip(arrays, views[which])):
            if arr.shape != view.shape:
                raise ValueError(f"{_NAMES[which]}[{i}] assigned before fit has shape "
                                 f"{arr.shape}; this data and hidden_layer_sizes need "
                                 f"{view.shape}")
    for which, arrays in enumerate(pending):
        if arrays is not None:
            for i, (arr, view) in enumerate(zip(arrays, views[which])):
                _write(view, arr, f"{_NAMES[which]}[{i}]")
            del est.__dict__[_PENDING[which]]
