"""core.lazy: the registry through which eval and predict hand lazy collections on."""

import types

import numpy as np
import pytest

from numpynn.core import lazy


def _instance_from(module_name):
    kind = type("Collection", (), {"__module__": module_name})
    return kind()


def test_ordinary_input_has_no_adapter():
    for x in (np.zeros(3), [1, 2], 3.0, _instance_from("pandas.core.frame")):
        assert lazy.lazy_adapter(x) is None


def test_a_registered_adapter_is_found(monkeypatch):
    adapter = types.SimpleNamespace(name="toy")
    monkeypatch.setitem(lazy._ADAPTERS, "toylib", adapter)
    assert lazy.lazy_adapter(_instance_from("toylib.arrays")) is adapter


def test_the_provider_is_imported_on_first_use(monkeypatch):
    monkeypatch.setitem(lazy._PROVIDERS, "toylib", "numpynn.tests_no_such_module")
    monkeypatch.setitem(lazy._KNOWN, "toylib", "toy support")
    with pytest.raises(TypeError, match="toylib collection .* could not be imported"):
        lazy.lazy_adapter(_instance_from("toylib.arrays"))


def test_a_known_library_without_its_adapter_points_to_it(monkeypatch):
    monkeypatch.delitem(lazy._ADAPTERS, "dask", raising=False)
    monkeypatch.delitem(lazy._PROVIDERS, "dask", raising=False)
    with pytest.raises(TypeError, match=r"numpynn\.distributed"):
        lazy.lazy_adapter(_instance_from("dask.array.core"))
