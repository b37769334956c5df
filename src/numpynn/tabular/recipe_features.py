"""The tabular recipe's features: table columns -> ``[dense features | category codes]``.

RealMLP's preprocessing (Holzmüller et al., 2024), column by column, statistics from the
training rows only:

- **numbers**: a gap is filled with the training median and, when at least 20 training
  rows had gaps (:data:`~numpynn.tabular.recipe_columns.MIN_GAP_ROWS`), a second feature
  marks it (1.0 at a gap);
- **categories** (text, booleans as text, or columns named categorical): code 0 is
  "missing or unseen", codes 1.. the training categories in sorted order.  Columns with at
  most ``max_one_hot`` codes (missing included) become one-hot features -- binary ones a
  single -1/+1 feature -- with a gap all zeros; larger ones stay codes for an embedding;
- then every dense feature (numbers, indicators, one-hot) is **robustly scaled**,
  ``(x - median) / (q75 - q25)`` (or ``/ ((max - min) / 2)`` when the quartiles agree, 0
  for a constant) and **smoothly clipped**, ``x / sqrt(1 + (x / 3) ** 2)``, so outliers
  stay within about +-3 without losing their order.

The state is JSON (:meth:`RecipeFeatures.to_dict`), never pickle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.checks import check_int
from .recipe_columns import (
    ColumnValues,
    NumericPlan,
    category_codes,
    columns_of,
    fit_category_plan,
    fit_numeric_plan,
    numeric_values,
)

__all__ = ["RecipeFeatures", "smooth_clip", "MAX_ONE_HOT"]

#: Categorical columns with at most this many codes (the missing code included) are
#: one-hot encoded; larger ones get an embedding (RealMLP-TD's max_one_hot_cat_size).
MAX_ONE_HOT = 9
#: Dimension of each embedding (RealMLP-TD's embedding_size).
EMBEDDING_DIM = 8
_STATE_FORMAT = "numpynn.tabular.RecipeFeatures"
_STATE_VERSION = 1


def smooth_clip(x: np.ndarray) -> np.ndarray:
    """``x / sqrt(1 + (x / 3) ** 2)`` in place: near-identity for small ``|x|``, tending
    to +-3 for large ones."""
    scratch = np.multiply(x, np.float32(1.0 / 3.0))
    np.hypot(1, scratch, out=scratch)  # sqrt(1 + (x/3)^2) without overflow
    x /= scratch
    return x


@dataclass
class _DensePlan:
    """Robust scaling (and clipping) of one dense feature: ``(x - center) * factor``."""

    center: float
    factor: float

    def apply(self, x: np.ndarray) -> None:
        x -= np.float32(self.center)
        x *= np.float32(self.factor)


def _fit_dense_plan(x: np.ndarray, robust: bool) -> _DensePlan:
    """Robust scaling of training values ``x`` (float64, no gaps); plain standardisation
    when ``robust`` is False (the recipe's ablation)."""
    if not robust:
        std = float(x.std())
        return _DensePlan(float(x.mean()), 1.0 / std if std > 0 else 0.0)
    center = float(np.median(x))
    q25, q75 = np.quantile(x, [0.25, 0.75])
    spread = float(q75 - q25)
    if spread == 0.0:
        spread = 0.5 * float(x.max() - x.min())
    return _DensePlan(center, 1.0 / spread if spread > 0 else 0.0)


@dataclass
class RecipeFeatures:
    """The fitted preprocessing of the recipe (see the module docstring).

    Build one with :meth:`fit` or :meth:`from_dict`.

    Attributes
    ----------
    columns : list of str
        The input columns, in order (``x0, x1, ...`` for arrays without names).
    numeric : list of NumericPlan
    categories : dict of str to list of str
        Each categorical column's training categories (code ``i + 1`` is ``[i]``).
    one_hot : list of str
        Categorical columns encoded one-hot; the others are embedded.
    dense_plans : list of (center, factor)
        Robust scaling of every dense feature, in feature order.
    clip : bool
        Whether dense features are smoothly clipped.
    feature_names : list of str
        Dense feature names, then one per embedded column.
    """

    columns: list[str]
    numeric: list[NumericPlan]
    categories: dict[str, list[str]]
    one_hot: list[str]
    dense_plans: list[_DensePlan] = field(default_factory=list)
    clip: bool = True
    feature_names: list[str] = field(default_factory=list)

    # -- fitting ---------------------------------------------------------------------
    @classmethod
    def fit(cls, X: Any, categorical: Sequence[str] | None = None, *,
            max_one_hot: int | None = MAX_ONE_HOT, robust: bool = True,
            clip: bool = True) -> RecipeFeatures:
        """Fit on training rows.

        Parameters
        ----------
        X : DataFrame, 2-D array or dict of columns
            Numbers, text and gaps (NaN, None, pandas NA) as they are.
        categorical : sequence of str, optional
            Numeric columns to treat as categories (by name, ``x<j>`` for arrays).
        max_one_hot : int or None, default 9
            One-hot encode categorical columns with at most this many codes; None:
            every categorical column one-hot (no embeddings).
        robust : bool, default True
            Robust scaling; False: standardisation (mean, std).
        clip : bool, default True
            Smooth clipping after the scaling.
        """
        values = columns_of(X)
        if not values:
            raise ValueError("X has no columns")
        forced = set(categorical or ())
        unknown = sorted(forced - {c.name for c in values})
        if unknown:
            raise ValueError(f"categorical names columns X does not have: {unknown}")
        numeric, categories, one_hot = [], {}, []
        limit = np.inf if max_one_hot is None else check_int("max_one_hot", max_one_hot, 2)
        for column in values:
            numbers = None if column.name in forced else numeric_values(column)
            if numbers is not None:
                numeric.append(fit_numeric_plan(column.name, numbers))
                continue
            categories[column.name] = fit_category_plan(column)
            if len(categories[column.name]) + 1 <= limit:
                one_hot.append(column.name)
        features = cls([c.name for c in values], numeric, categories, one_hot, clip=clip)
        dense, _ = features._encode(values, with_plans=False)
        features.dense_plans = [_fit_dense_plan(dense[:, j].astype(np.float64), robust)
                                for j in range(dense.shape[1])]
        return features

    # -- sizes -----------------------------------------------------------------------
    @property
    def embedded(self) -> list[str]:
        """Categorical columns that become codes for an embedding, in column order."""
        return [c for c in self.columns if c in self.categories and c not in self.one_hot]

    @property
    def n_dense(self) -> int:
        return len(self.dense_plans)

    @property
    def numeric_columns(self) -> list[int]:
        """The dense features that are numeric columns' values (not their gap indicators,
        not one-hot features): where the recipe's periodic embeddings go."""
        columns, j = [], 0
        for plan in self.numeric:
            columns.append(j)
            j += 1 + plan.indicator
        return columns

    @property
    def embeddings(self) -> list[tuple[int, int]]:
        """``(cardinality, dim)`` per embedded column (cardinality counts code 0)."""
        return [(len(self.categories[c]) + 1, EMBEDDING_DIM) for c in self.embedded]

    # -- encoding --------------------------------------------------------------------
    def transform(self, X: Any) -> np.ndarray:
        """float32 (n, n_dense + n_embedded): dense features, then category codes."""
        values = columns_of(X, self.columns)
        dense, codes = self._encode(values, with_plans=True)
        return np.concatenate([dense, codes], axis=1) if codes.shape[1] else dense

    def _encode(self, values: list[ColumnValues], with_plans: bool
                ) -> tuple[np.ndarray, np.ndarray]:
        by_name = {c.name: c for c in values}
        parts, names = [], []
        for plan in self.numeric:
            block, block_names = plan.encode(by_name[plan.name])
            parts.append(block)
            names += block_names
        for name in self.one_hot:
            block, block_names = _one_hot(name, category_codes(by_name[name],
                                                               self.categories[name]),
                                          self.categories[name])
            parts.append(block)
            names += block_names
        n = len(values[0])
        dense = np.concatenate(parts, axis=1) if parts else np.zeros((n, 0), np.float32)
        codes = [category_codes(by_name[c], self.categories[c]).astype(np.float32)
                 for c in self.embedded]
        code_block = np.stack(codes, axis=1) if codes else np.zeros((n, 0), np.float32)
        self.feature_names = names + self.embedded
        if with_plans:
            for j, plan in enumerate(self.dense_plans):
                plan.apply(dense[:, j])
            if self.clip:
                smooth_clip(dense)
        return dense, code_block

    # -- state -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-able state; :meth:`from_dict` gives the same features back."""
        return {"format": _STATE_FORMAT, "version": _STATE_VERSION, "columns": self.columns,
                "numeric": [p.to_dict() for p in self.numeric],
                "categories": self.categories, "one_hot": self.one_hot,
                "dense": [[p.center, p.factor] for p in self.dense_plans],
                "clip": self.clip, "feature_names": self.feature_names}

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> RecipeFeatures:
        """Features from :meth:`to_dict`'s state (checked: ValueError naming the field)."""
        if not isinstance(state, Mapping) or state.get("format") != _STATE_FORMAT:
            raise ValueError(f"not the state of a {_STATE_FORMAT}")
        if state.get("version") != _STATE_VERSION:
            raise ValueError(f"RecipeFeatures state version {state.get('version')!r} is "
                             f"not {_STATE_VERSION}")
        try:
            features = cls(
                [str(c) for c in state["columns"]],
                [NumericPlan.from_dict(p) for p in state["numeric"]],
                {str(k): [str(v) for v in cats] for k, cats in state["categories"].items()},
                [str(c) for c in state["one_hot"]],
                [_DensePlan(float(c), float(f)) for c, f in state["dense"]],
                bool(state["clip"]), [str(n) for n in state["feature_names"]])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"RecipeFeatures state is damaged: {exc!r}") from None
        return features


def _one_hot(name: str, codes: np.ndarray, categories: list[str]
             ) -> tuple[np.ndarray, list[str]]:
    """One-hot features of a column's codes (0: missing or unseen, all zeros); a binary
    column (at most two categories) is one feature, -1 / +1 (0 when missing)."""
    n = codes.shape[0]
    if len(categories) <= 2:
        column = np.zeros((n, 1), dtype=np.float32)
        column[codes == 1, 0] = -1.0
        column[codes == 2, 0] = 1.0
        label = categories[-1]
        return column, [f"{name}={label}"]
    block = np.zeros((n, len(categories)), dtype=np.float32)
    present = codes > 0
    block[np.flatnonzero(present), codes[present] - 1] = 1.0
    return block, [f"{name}={c}" for c in categories]
