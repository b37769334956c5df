#!/usr/bin/env python
"""numpynn against scikit-learn, PyTorch and the matrix-product floor, side by side.

Run from the repository root::

    python benchmarks/run.py                 # everything, about 3-5 minutes on 2 cores
    python benchmarks/run.py --quick         # fewer repeats, smaller arrays (a minute)
    python benchmarks/run.py --only 64-100-10,eval1 --json out.json

Every rival runs in this one process, on the same float32 data, with the same architecture,
the same initial weights, Adam with the same learning rate, batch 200, shuffling on, ReLU
hidden layers and softmax + cross-entropy.  After two warm-up epochs, each timed repeat is
one epoch, or for the tiny 3-4-2 workload as many epochs back to back as fill 25 ms (the
same rule for every rival; the figure is per epoch); the rivals take turns within each
repeat (rotating order) so that noise from other work on the machine falls on all of them
alike; figures are medians over the repeats.

Sections (names for ``--only``):

  64-100-10, 256-512-512-10, 3-4-2   one training epoch (ms)
  eval1    single-sample eval of the article's 3-4-2 net (us)
  infer    batch inference, 1,000,000 x 64 rows through 64-100-10 (ms)
  memory   peak memory of fit on 1,000,000 x 64 float32, above the input array (MB)

The matrix-product floor is the time of the matrix products alone, in float32, on the same
shapes, into preallocated outputs: per batch the forward product of every layer and the two
backward products of every layer (``dW = A.T @ delta`` and the delta for the layer below;
the first layer needs none).  Nothing real can be faster than it with the same BLAS.

The exit status is 0 even when targets are missed (this is a report); the summary lists
the misses.  The script never changes BLAS settings.  OpenBLAS reads OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE at load time; to compare with them unset, unset them for the command:
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py``.
"""

import sys
from pathlib import Path

# The package next to this file (benchmarks/numpynn_bench/), importable without installing.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from numpynn_bench.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
