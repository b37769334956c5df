"""numpynn's benchmarks against scikit-learn, PyTorch and the matrix-product floor.

``python benchmarks/run.py`` is the entry point (:func:`.cli.main`).  The modules:

workloads     the data, the network shapes and the shared training settings
article_loops the article's loop-code network (a rival in ``eval1``)
optional      scikit-learn, PyTorch and threadpoolctl, or None where missing
rivals        numpynn, scikit-learn, PyTorch and floor runners: one unit of work per call
timing        repeats in rotating order, gc + pause, the load guard
sections      the timed sections: training, eval1, infer
memory        the memory child (a fresh process per rival) and its launcher
report        targets, PASS/MISS, the tables, the summary and JSON
environment   CPU, versions, kernels, BLAS pools: the header
cli           the options and the order of the run
"""
