"""`evaluate`: the numbers an animation shows, computed from the schedule's taps.

Shapes are those of PyTorch's unbatched calls: ``x`` is ``(C_in, *input_size)``,
``weight`` is `ConvSpec.weight_shape`, ``bias`` is ``(C_out,)`` and the result
``(C_out, *output_shape)``.

>>> import numpy as np
>>> from convanim import ConvSpec
>>> spec = ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2)
>>> y = evaluate(spec, np.ones((2, 5, 5)))
>>> y.shape, float(y[0, 0, 0])
((4, 3, 3), 9.0)
"""

from __future__ import annotations

import math

import numpy as np

from .pool import pool_evaluate
from .schedule import schedule
from .spec import ConvSpec

__all__ = ["evaluate", "tap_indices", "default_weight"]


def tap_indices(spec: ConvSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat (output cell, kernel element, input cell) index of every tap that reads the input.

    Taken from ``schedule(spec)`` in its order: steps row-major, taps
    row-major within a step; taps on padding or inserted zeros (``source``
    None) are left out, since they multiply a zero.
    """
    outs, kerns, srcs = [], [], []
    for step in schedule(spec):
        for tap in step.taps:
            if tap.source is not None:
                outs.append(step.out)
                kerns.append(tap.kernel)
                srcs.append(tap.source)
    if not outs:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, empty

    def flat(index, shape):
        return np.ravel_multi_index(tuple(np.array(index, dtype=np.intp).T), shape).astype(np.intp)

    return flat(outs, spec.output_shape), flat(kerns, spec.kernel_size), flat(srcs, spec.input_size)


def default_weight(spec: ConvSpec) -> np.ndarray:
    """The weight `evaluate` uses when none is given: all ones, of shape `ConvSpec.weight_shape`."""
    return np.ones(spec.weight_shape)


def _array(name: str, value, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise ValueError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {arr.shape}")
    return arr


def evaluate(spec, x, weight=None, bias=None) -> np.ndarray:
    """The output of ``spec`` on ``x``, as ``torch.nn.functional`` computes it, from the schedule.

    Parameters
    ----------
    spec : ConvSpec (or a pooling spec)
        The layer. A spec that is not a `ConvSpec` is handed to
        ``convanim.pool.pool_evaluate(spec, x)`` (``weight`` and ``bias`` must
        then be None).
    x : array_like, shape ``(C_in, *input_size)``
    weight : array_like, shape ``spec.weight_shape``, optional
        ``(C_out, C_in/groups, *kernel_size)``, or ``(C_in, C_out/groups,
        *kernel_size)`` for a transposed convolution (PyTorch's layouts).
        Default: all ones (`default_weight`).
    bias : array_like, shape ``(C_out,)``, optional
        Added to every cell of its output channel; only for a spec with
        ``bias=True``. Default: no bias (zeros).

    Returns
    -------
    numpy.ndarray, shape ``(C_out, *output_shape)``
        In the dtype numpy gives the product of ``x`` and ``weight`` (so
        integer inputs stay exact). Output channel ``o`` of group ``g``
        (``g = o // (C_out/groups)``) sums over input channels ``g*C_in/groups``
        to ``(g+1)*C_in/groups - 1``, then over the taps of each output cell
        in the schedule's order.
    """
    kind = getattr(spec, "kind", None)
    if kind != "conv":
        if kind != "pool":
            raise ValueError(f"spec must be a ConvSpec or a PoolSpec, got {type(spec).__name__}")
        if weight is not None or bias is not None:
            raise ValueError(f"weight and bias are for a ConvSpec; a {type(spec).__name__} has none")
        return pool_evaluate(spec, x)
    cin, cout, groups = spec.in_channels, spec.out_channels, spec.groups
    x = _array("x", x, (cin, *spec.input_size))
    w = default_weight(spec) if weight is None else _array("weight", weight, spec.weight_shape)
    if bias is not None:
        b = _array("bias", bias, (cout,))
        if not spec.bias:
            raise ValueError("bias was given but the spec has bias=False; pass bias=True in the spec")
    dtype = np.result_type(x, w) if bias is None else np.result_type(x, w, b)
    cin_g, cout_g = cin // groups, cout // groups
    outs, kerns, srcs = tap_indices(spec)
    n_out = math.prod(spec.output_shape)
    xf = x.reshape(cin, -1)
    wf = w.reshape(*w.shape[:2], -1)
    result = np.zeros((cout, n_out), dtype=dtype)
    for g in range(groups):
        xg = xf[g * cin_g:(g + 1) * cin_g][:, srcs]  # (cin_g, taps)
        if spec.transposed:
            wg = wf[g * cin_g:(g + 1) * cin_g].transpose(1, 0, 2)  # (cout_g, cin_g, k)
        else:
            wg = wf[g * cout_g:(g + 1) * cout_g]  # (cout_g, cin_g, k)
        products = (wg[:, :, kerns] * xg[None]).sum(axis=1)  # (cout_g, taps)
        block = result[g * cout_g:(g + 1) * cout_g]
        for o in range(cout_g):
            np.add.at(block[o], outs, products[o].astype(dtype, copy=False))
    if bias is not None:
        result += b.reshape(cout, 1)
    return result.reshape(cout, *spec.output_shape)
