"""The optional libraries: scikit-learn, PyTorch and threadpoolctl, or None where missing.

Without scikit-learn or PyTorch their columns are skipped; without threadpoolctl the
header cannot list the BLAS pools and ``--threads`` is refused.
"""

from __future__ import annotations

try:
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
except ImportError:  # pragma: no cover - depends on the environment
    sklearn = ConvergenceWarning = MLPClassifier = None

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

try:
    import threadpoolctl
except ImportError:  # pragma: no cover - depends on the environment
    threadpoolctl = None

__all__ = ["sklearn", "ConvergenceWarning", "MLPClassifier", "torch", "threadpoolctl"]
