"""The tabular benchmark (``python benchmarks/tabular.py``): numpynn's default table
estimator, scikit-learn's MLP in a standard pipeline and HistGradientBoosting's defaults on
real data sets, side by side, in one run.

Modules: :mod:`.datasets` (the suite), :mod:`.models` (the three models),
:mod:`.suite` (splits, fits, scores), :mod:`.report` (the tables).
"""
