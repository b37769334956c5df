"""Shared fixtures."""

import pytest


@pytest.fixture(params=["numpy", "numba"])
def kernel_mode(request, monkeypatch):
    """Run a test once with NumPy alone and once with Numba's fused kernels (see
    numpynn._kernels); the Numba run skips when Numba is not installed."""
    if request.param == "numba":
        pytest.importorskip("numba")
    monkeypatch.setenv("NUMPYNN_KERNELS", request.param)
    return request.param
