"""Optimizers over the flat parameter vector, in the optax shape but in place.

``state = opt.init(theta)`` makes flat vectors of theta's dtype; ``opt.update(theta, grad,
state, learning_rate)`` changes ``theta`` in place in a handful of whole-vector NumPy
calls, whatever the depth of the network.  Hyper-parameters are Python floats, turned into
scalars of theta's dtype at each step (``theta.dtype.type``): float32 arrays are never
promoted to float64, and float64 ones never see a constant rounded to float32.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..core import kernels as _kernels
from ..core.checks import check_number as _check_number
from .chunked_updates import for_each_chunk
from .lbfgs import LBFGS
from .resume import check_adam_moments
from .schedules import Schedule, get_schedule

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "LBFGS", "get_optimizer", "OPTIMIZERS",
           "set_lr_factors"]


def set_lr_factors(state: dict[str, Any], factors: np.ndarray) -> None:
    """Give every entry of theta its own learning-rate factor (per parameter group).

    Each step then moves ``theta[i]`` by ``factors[i]`` times what it would move by
    (SGD and Adam; AdamW's decay keeps its own rate).  The factors live in the state, not
    in the optimizer, which may serve several networks; checkpoints do not keep them (the
    model gives them again).

    Parameters
    ----------
    state : dict
        From :meth:`Optimizer.init`; changed in place.
    factors : ndarray, shape (num_weights,)
        Finite, non-negative.
    """
    template = state["scratch"]
    arr = np.asarray(factors, dtype=template.dtype)
    if arr.shape != template.shape:
        raise ValueError(f"lr factors must have shape {template.shape}, got {arr.shape}")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError("lr factors must be finite and non-negative")
    state["lr_factors"] = arr.copy()


class Optimizer:
    """Base class of the mini-batch optimizers: ``init(theta) -> state``, in-place
    ``update``, and the learning rate, its schedule and gradient clipping.

    Parameters
    ----------
    learning_rate : float > 0, optional
        The base rate.  None: the ``learning_rate`` that ``fit`` or ``Trainer`` is given,
        else 0.001.
    schedule : {"constant", "step", "cosine", "plateau"} or Schedule, optional
        How the rate changes from epoch to epoch (:mod:`numpynn.training.schedules`);
        asked once per epoch.  "cosine" decays over the epochs of the run.
    clip_norm : float > 0, optional
        Rescale every gradient whose global L2 norm exceeds this before the step.

    Notes
    -----
    The optimizer object holds settings only; everything that changes while training
    (moments, step count) lives in the ``state`` dict from :meth:`init`, so one optimizer
    can serve several networks.  :meth:`checkpoint_state` is the part of that state that
    a checkpoint needs.
    """

    name = "optimizer"
    #: Arrays of the state that carry information from step to step (the rest is scratch).
    persistent_arrays: tuple[str, ...] = ()

    def __init__(self, learning_rate: float | None = None, *, schedule: Any = None,
                 clip_norm: float | None = None) -> None:
        self.learning_rate = (
            None if learning_rate is None else _check_number("learning_rate", learning_rate, 0,
                                                             low_inclusive=False)
        )
        if schedule is not None:
            get_schedule(schedule, 1)  # a bad name fails here, not at the first epoch
        self.schedule = schedule
        self.clip_norm = None if clip_norm is None else _check_number(
            "clip_norm", clip_norm, 0.0, low_inclusive=False)

    def init(self, theta: np.ndarray, weight_mask: np.ndarray | None = None) -> dict[str, Any]:
        """State for a parameter vector of shape ``theta.shape``: flat vectors of theta's
        dtype.

        Parameters
        ----------
        theta : ndarray, shape (num_weights,), float32 or float64
        weight_mask : ndarray of bool, shape (num_weights,), optional
            True where ``theta`` holds a weight rather than a bias
            (:meth:`NeuralNetwork.weight_mask`); used by optimizers that treat the two
            differently (AdamW's decay).
        """
        return {"step": 0, "scratch": np.zeros_like(theta)}

    def make_schedule(self, epochs: int) -> Schedule:
        """The schedule object for a run of ``epochs`` epochs."""
        return get_schedule(self.schedule, epochs)

    def update(self, theta: np.ndarray, grad: np.ndarray, state: dict[str, Any],
               learning_rate: float) -> None:  # pragma: no cover - abstract
        """Apply one step to ``theta`` in place (no clipping: see :meth:`step`)."""
        raise NotImplementedError

    def step(self, theta: np.ndarray, grad: np.ndarray, state: dict[str, Any],
             learning_rate: float) -> None:
        """Clip ``grad`` in place (with ``clip_norm``), then :meth:`update`."""
        if self.clip_norm is not None:
            norm = math.sqrt(float(np.dot(grad, grad)))
            if norm > self.clip_norm:
                grad *= grad.dtype.type(self.clip_norm / norm)
        self.update(theta, grad, state, learning_rate)

    def checkpoint_state(self, state: dict[str, Any]) -> tuple[int, dict[str, np.ndarray]]:
        """``(step, arrays)``: what a checkpoint keeps of ``state`` (no scratch, no masks)."""
        return int(state["step"]), {k: state[k] for k in self.persistent_arrays if k in state}

    def check_checkpoint_state(self, state: dict[str, Any], step: Any,
                               arrays: Mapping[str, np.ndarray]) -> None:
        """ValueError unless a checkpoint's ``(step, arrays)`` fit ``state``: a step count
        >= 0, every persistent array present with the state's shape and dtype."""
        if isinstance(step, (bool, np.bool_)) or not isinstance(step, (int, np.integer)) \
                or not 0 <= step <= 2**53:
            raise ValueError(f"the checkpoint's optimizer step must be an int in [0, 2**53], "
                             f"got {step!r}")
        for key in self.persistent_arrays:
            if key not in state:
                continue
            if key not in arrays:
                raise ValueError(f"the checkpoint lacks the optimizer's {key!r} array (was "
                                 f"it written with another optimizer than {self.name}?)")
            array = arrays[key]
            if np.shape(array) != state[key].shape:
                raise ValueError(f"optimizer state {key!r} has shape {np.shape(array)}, "
                                 f"expected {state[key].shape}")
            if np.asarray(array).dtype != state[key].dtype:
                raise ValueError(f"optimizer state {key!r} has dtype "
                                 f"{np.asarray(array).dtype}, expected {state[key].dtype}")
        self.check_moments(arrays)

    def check_moments(self, arrays: Mapping[str, np.ndarray]) -> None:
        """ValueError when the state arrays among ``arrays`` (named as in the state: ``m``,
        ``v``, ``velocity``) break what this optimizer's updates keep true: damage, which a
        reader of checkpoints skips.  Absent arrays are not checked here."""
        return None

    def load_checkpoint_state(self, state: dict[str, Any], step: int,
                              arrays: Mapping[str, np.ndarray]) -> None:
        """Put a checkpoint's ``(step, arrays)`` back into ``state``, in place (checked
        first: on a ValueError ``state`` is unchanged)."""
        self.check_checkpoint_state(state, step, arrays)
        for key in self.persistent_arrays:
            if key in state:
                state[key][:] = arrays[key]
        state["step"] = int(step)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum.

    Parameters
    ----------
    learning_rate, schedule, clip_norm
        See :class:`Optimizer`.
    momentum : float in [0, 1), default 0.0
    nesterov : bool, default False
    """

    name = "sgd"
    persistent_arrays = ("velocity",)

    def __init__(self, learning_rate: float | None = None, momentum: float = 0.0,
                 nesterov: bool = False, *, schedule: Any = None,
                 clip_norm: float | None = None) -> None:
        super().__init__(learning_rate, schedule=schedule, clip_norm=clip_norm)
        self.momentum = _check_number("momentum", momentum, 0.0, 1.0, high_inclusive=False)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0")

    def init(self, theta: np.ndarray, weight_mask: np.ndarray | None = None) -> dict[str, Any]:
        state = super().init(theta)
        if self.momentum > 0:
            state["velocity"] = np.zeros_like(theta)
        return state

    def update(self, theta, grad, state, learning_rate):
        state["step"] += 1
        scalar = theta.dtype.type
        lr = scalar(learning_rate)
        if "lr_factors" in state:  # per-entry rates: scale the step's gradient
            grad *= state["lr_factors"]
        compiled = _kernels.kernels()
        if compiled is not None:
            if self.momentum == 0.0:
                compiled.sgd(theta, grad, lr)
            else:
                compiled.sgd_momentum(theta, grad, state["velocity"], lr, scalar(self.momentum),
                                      self.nesterov)
            return
        if self.momentum == 0.0:
            step = state["scratch"]
            np.multiply(grad, lr, out=step)
            theta -= step
            return
        # velocity = momentum * velocity - lr * grad (scikit-learn's form)
        mom = scalar(self.momentum)
        velocity_all, scratch_all = state["velocity"], state["scratch"]
        nesterov = self.nesterov

        def update(part: slice) -> None:
            th, velocity, step = theta[part], velocity_all[part], scratch_all[part]
            velocity *= mom
            np.multiply(grad[part], lr, out=step)
            velocity -= step
            if nesterov:
                # theta += momentum * velocity - lr * grad  (step holds lr * grad)
                th -= step
                np.multiply(velocity, mom, out=step)
                th += step
            else:
                th += velocity

        for_each_chunk(theta.size, update)


class Adam(Optimizer):
    """Adam (Kingma & Ba), with L2 folded into the gradient by ``fit``.

    Parameters
    ----------
    learning_rate, schedule, clip_norm
        See :class:`Optimizer`.
    beta_1, beta_2 : float in [0, 1)
    epsilon : float > 0
    """

    name = "adam"
    persistent_arrays = ("m", "v")

    def __init__(self, learning_rate: float | None = None, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8, *, schedule: Any = None,
                 clip_norm: float | None = None) -> None:
        super().__init__(learning_rate, schedule=schedule, clip_norm=clip_norm)
        self.beta_1 = _check_number("beta_1", beta_1, 0.0, 1.0, high_inclusive=False)
        self.beta_2 = _check_number("beta_2", beta_2, 0.0, 1.0, high_inclusive=False)
        self.epsilon = _check_number("epsilon", epsilon, 0.0, low_inclusive=False)

    def init(self, theta, weight_mask=None):
        state = super().init(theta)
        state["m"] = np.zeros_like(theta)
        state["v"] = np.zeros_like(theta)
        return state

    def _adam_step(self, theta, grad, state, learning_rate):
        state["step"] += 1
        t = state["step"]
        b1, b2 = self.beta_1, self.beta_2
        # The moments are stored scaled, m / (1 - b1) and v / (1 - b2), which saves two
        # passes per step: m_s = b1 m_s + g and v_s = b2 v_s + g^2.  The update
        # lr_t * m / (sqrt(v) + eps) is then c * m_s / (sqrt(v_s) + eps_s).
        c = (learning_rate * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
             * (1.0 - b1) / math.sqrt(1.0 - b2))
        scalar = theta.dtype.type
        b1_, b2_ = scalar(b1), scalar(b2)
        eps_s = scalar(self.epsilon / math.sqrt(1.0 - b2))
        c_ = scalar(c)
        m_all, v_all, scratch_all = state["m"], state["v"], state["scratch"]
        factors = state.get("lr_factors")
        compiled = _kernels.kernels() if factors is None else None
        if compiled is not None:
            compiled.adam(theta, grad, m_all, v_all, c_, b1_, b2_, eps_s)
            return

        def update(part: slice) -> None:
            th, g, m, v, s = theta[part], grad[part], m_all[part], v_all[part], scratch_all[part]
            m *= b1_
            m += g
            v *= b2_
            np.multiply(g, g, out=s)
            v += s
            np.sqrt(v, out=s)
            s += eps_s
            np.divide(m, s, out=s)
            s *= c_
            if factors is not None:
                s *= factors[part]
            th -= s

        for_each_chunk(theta.size, update)

    def update(self, theta, grad, state, learning_rate):
        self._adam_step(theta, grad, state, learning_rate)

    def check_moments(self, arrays):
        """Adam's invariants of its moments (see
        :func:`numpynn.training.resume.check_adam_moments`): a damaged moment breaks them,
        and would turn the first step into a false divergence."""
        if "m" in arrays and "v" in arrays:
            check_adam_moments(np.asarray(arrays["m"]), np.asarray(arrays["v"]),
                               self.beta_1, self.beta_2)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter).

    ``theta -= lr * weight_decay * theta`` on the weights, separate from the gradient;
    biases are excluded when ``init`` gets the network's ``weight_mask`` (``fit`` and
    ``Trainer`` pass it), else every entry decays.

    Parameters
    ----------
    weight_decay : float >= 0, default 0.01
    """

    name = "adamw"

    def __init__(self, learning_rate: float | None = None, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8,
                 weight_decay: float = 0.01, *, schedule: Any = None,
                 clip_norm: float | None = None) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, schedule=schedule,
                         clip_norm=clip_norm)
        self.weight_decay = _check_number("weight_decay", weight_decay, 0.0)

    def init(self, theta, weight_mask=None):
        state = super().init(theta)
        # 0/1 mask of theta's dtype, part of the state (not of the optimizer, which may serve
        # several networks): decay the weights, not the biases.
        if weight_mask is None:
            state["decay_mask"] = np.ones_like(theta)
        else:
            if np.shape(weight_mask) != theta.shape:
                raise ValueError(f"weight_mask must have shape {theta.shape}, "
                                 f"got {np.shape(weight_mask)}")
            state["decay_mask"] = np.asarray(weight_mask, dtype=theta.dtype)
        return state

    def update(self, theta, grad, state, learning_rate):
        if self.weight_decay > 0:
            factor = theta.dtype.type(learning_rate * self.weight_decay)
            mask = state["decay_mask"]
            compiled = _kernels.kernels()
            if compiled is not None:
                compiled.decay(theta, mask, factor)
            else:
                decay = state["scratch"]
                np.multiply(theta, mask, out=decay)
                decay *= factor
                theta -= decay
        self._adam_step(theta, grad, state, learning_rate)


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "lbfgs": LBFGS}


def get_optimizer(optimizer: Any, **settings: Any) -> Optimizer | LBFGS:
    """An optimizer object (or the L-BFGS solver) from a name or an instance.

    Parameters
    ----------
    optimizer : {"sgd", "adam", "adamw", "lbfgs"}, Optimizer or LBFGS
    **settings
        Passed to the class when ``optimizer`` is a name (``learning_rate``,
        ``momentum``, ``beta_1``, ...).
    """
    if isinstance(optimizer, (Optimizer, LBFGS)):
        return optimizer
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(
            f"optimizer must be one of {sorted(OPTIMIZERS)} or an Optimizer, got {optimizer!r}"
        )
    return OPTIMIZERS[optimizer](**settings)
