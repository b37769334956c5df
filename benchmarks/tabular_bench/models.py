"""The models side by side: numpynn's default, scikit-learn's MLP in a standard pipeline and
HistGradientBoosting's defaults, each fitted on the same training rows of a split."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MODELS", "numpynn_model", "is_categorical"]


def is_categorical(column: pd.Series) -> bool:
    """Text, booleans and pandas categories are categories; numbers are numbers."""
    return not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


def numpynn_model(task: str, seed: int, recipe: dict | None = None) -> Any:
    """numpynn's table estimator with its defaults (and, for the ablation, recipe options)."""
    from numpynn.sklearn import TabularClassifier, TabularRegressor

    cls = TabularClassifier if task == "classification" else TabularRegressor
    return cls(random_state=seed, recipe=recipe)


def _mlp_pipeline(task: str, seed: int, X: pd.DataFrame) -> Any:
    """Median imputer + standard scaler for numbers, most-frequent imputer + one-hot for
    categories, then MLPClassifier / MLPRegressor with scikit-learn's defaults.  For
    regression the target is standardised too (TransformedTargetRegressor): without it the
    default MLP barely moves from 0 on targets in the thousands, which would flatter
    numpynn."""
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    categorical = [c for c in X.columns if is_categorical(X[c])]
    numeric = [c for c in X.columns if c not in categorical]
    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(handle_unknown="ignore")), categorical),
    ])
    if task == "classification":
        return make_pipeline(prep, MLPClassifier(random_state=seed))
    return TransformedTargetRegressor(make_pipeline(prep, MLPRegressor(random_state=seed)),
                                      transformer=StandardScaler())


class _HistGradientBoosting:
    """HistGradientBoosting with its defaults; text columns become pandas categories,
    which its default ``categorical_features="from_dtype"`` treats natively."""

    def __init__(self, task: str, seed: int) -> None:
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        cls = (HistGradientBoostingClassifier if task == "classification"
               else HistGradientBoostingRegressor)
        self.model = cls(random_state=seed)

    def _frame(self, X: pd.DataFrame, fit: bool) -> pd.DataFrame:
        X = X.copy()
        if fit:
            self.categories = {c: pd.Categorical(X[c].astype(str).where(X[c].notna())).categories
                               for c in X.columns if is_categorical(X[c])}
        for c, cats in self.categories.items():
            X[c] = pd.Categorical(X[c].astype(str).where(X[c].notna()), categories=cats)
        return X

    def fit(self, X: pd.DataFrame, y: pd.Series) -> _HistGradientBoosting:
        self.model.fit(self._frame(X, fit=True), y)
        self.classes_ = getattr(self.model, "classes_", None)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.model.predict(self._frame(X, fit=False))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(self._frame(X, fit=False))


#: name -> maker(task, seed, X_train)
MODELS: dict[str, Callable[[str, int, pd.DataFrame], Any]] = {
    "numpynn": lambda task, seed, X: numpynn_model(task, seed),
    "sklearn MLP": _mlp_pipeline,
    "HistGB": lambda task, seed, X: _HistGradientBoosting(task, seed),
}
