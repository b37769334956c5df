"""exp in float32 for the fused epoch's loops, written so that the compiler vectorises it.

A call of the C library's ``expf`` keeps a loop scalar (about 3 ns a value on Zen 4,
measured): the softmax of a 3-4-2 epoch spent a quarter of its time there.  This is the
Cephes ``expf`` scheme -- ``exp(x) = 2^n e^r`` with ``n = round(x / ln 2)``, ``r`` from a
two-part ``ln 2`` and a degree-6 polynomial for ``e^r`` -- with ``2^n`` built from its
bits as two normal factors (so that subnormal results round once), and selects for
overflow, underflow and NaN: about 0.6 ns a value.  Its error stays below one unit in
the last place over the normal range (NumPy's float32 ``exp``: up to 2.5);
tests/training/test_fused_epoch.py checks it against float64.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba.core import types
from numba.extending import intrinsic

_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")

_LOG2E = np.float32(1.44269504088896341)
_LN2_HI = np.float32(0.693359375)
_LN2_LO = np.float32(-2.12194440e-4)
_P0 = np.float32(1.9875691500e-4)
_P1 = np.float32(1.3981999507e-3)
_P2 = np.float32(8.3334519073e-3)
_P3 = np.float32(4.1665795894e-2)
_P4 = np.float32(1.6666665459e-1)
_P5 = np.float32(5.0000001201e-1)
_ONE = np.float32(1.0)
_HALF = np.float32(0.5)
_ZERO = np.float32(0.0)
_INF = np.float32(np.inf)
#: Above this exp overflows float32; below the low bound it rounds to 0.
_HIGH = np.float32(88.72283935546875)
_LOW = np.float32(-103.97208)


@intrinsic
def float32_from_bits(typingctx, bits):
    """The float32 whose IEEE bits are the low 32 bits of the integer ``bits``."""
    if not isinstance(bits, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        value = args[0]
        if bits.bitwidth > 32:
            value = builder.trunc(value, ir.IntType(32))
        elif bits.bitwidth < 32:
            value = builder.sext(value, ir.IntType(32))
        return builder.bitcast(value, ir.FloatType())

    return types.float32(bits), codegen


@_inline
def exp32(x):
    """exp of a float32 value, float32 (inf above 88.72, 0 below -103.97, NaN passes)."""
    clamped = x if x > _LOW else _LOW  # NaN becomes _LOW here and is put back below
    clamped = clamped if clamped < _HIGH else _HIGH
    n = np.floor(clamped * _LOG2E + _HALF)
    r = (clamped - n * _LN2_HI) - n * _LN2_LO
    p = ((((_P0 * r + _P1) * r + _P2) * r + _P3) * r + _P4) * r + _P5
    e = (p * (r * r) + r) + _ONE
    # 2^n = 2^a 2^b with a, b in -75 .. 64: normal float32 powers of two, exact products
    # but for the last, which rounds once where the result is subnormal
    whole = np.int32(n)
    a = whole >> 1
    b = whole - a
    result = (e * float32_from_bits((a + 127) << 23)) * float32_from_bits((b + 127) << 23)
    result = _INF if x > _HIGH else result
    result = _ZERO if x < _LOW else result
    return result if x == x else x
