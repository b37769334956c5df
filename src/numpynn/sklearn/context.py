"""scikit-learn's callback API (``sklearn.callback``, 1.9 and later), or stand-ins."""

from __future__ import annotations

from typing import Any

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn: no callbacks to support

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stand-in when ``sklearn.callback`` does not exist."""


__all__ = ["CallbackSupportMixin", "NullContext", "listening"]


class NullContext:
    """A callback context that does nothing: no callback API, or no callback listening."""

    def call_on_fit_task_begin(self, **kwargs: Any) -> None:
        return None

    def call_on_fit_task_end(self, **kwargs: Any) -> bool:
        return False

    def subcontext(self, **kwargs: Any) -> NullContext:
        return self


def listening(est: Any, ctx: Any) -> Any:
    """``ctx`` when a callback listens to ``est``, else a :class:`NullContext` (so that no
    per-epoch task is created for nobody)."""
    return ctx if getattr(est, "_skl_callbacks", None) else NullContext()
