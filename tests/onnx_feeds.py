"""onnxruntime inputs from a DataFrame for graphs with one input per table column (the
tabular recipe's and the table estimators' ONNX exports).  ``tests/`` is on sys.path
through its conftest.py, so any test module imports this one."""

from __future__ import annotations

import numpy as np


def column_feeds(session, frame, numeric_type=np.float64) -> dict:
    """``{input name: (N, 1) array}``: a string input gets each cell's text ("" for a
    gap), a numeric one the column as ``numeric_type``."""
    feeds = {}
    for item in session.get_inputs():
        column = frame[item.name]
        if item.type == "tensor(string)":
            cells = ["" if v is None or v != v else str(v) for v in column]
            feeds[item.name] = np.array(cells, dtype=object).reshape(-1, 1)
        else:
            feeds[item.name] = column.to_numpy(numeric_type).reshape(-1, 1)
    return feeds
