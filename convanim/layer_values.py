"""Numbers for a layer with channels: input, weight and bias, seeded or from a file, and the output `evaluate` gives.

>>> from convanim import ConvSpec
>>> v = make_layer_values(ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True), "random", seed=0)
>>> v.x.shape, v.w.shape, v.b.shape, v.y.shape
((2, 5, 5), (4, 1, 3, 3), (4,), (4, 3, 3))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .evaluate import evaluate
from .spec import ConvSpec
from .values_file import stored_arrays

__all__ = ["LayerValues", "make_layer_values"]


@dataclass(frozen=True, eq=False)
class LayerValues:
    """``x`` ``(C_in, *input_size)``, ``w`` (`ConvSpec.weight_shape`), ``b`` ``(C_out,)`` or None, and
    ``y = evaluate(spec, x, w, b)``."""

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    y: np.ndarray


def make_layer_values(spec: ConvSpec, mode: str, seed: int = 0) -> LayerValues:
    """``'random'``: small integers from ``seed`` (inputs 0..3, weights -1..1, biases -2..2); a ``.npz``
    file with arrays ``input`` and ``weight`` (and ``bias`` when ``spec.bias``); or a ``.npy`` input with
    the weight and bias random from ``seed``."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size=(spec.in_channels, *spec.input_size))
    w = rng.integers(-1, 2, size=spec.weight_shape)
    b = rng.integers(-2, 3, size=spec.out_channels) if spec.bias else None
    if mode != "random":
        suffix = Path(mode).suffix
        if suffix not in (".npy", ".npz"):
            raise ValueError(f"values must be 'symbols', 'random' or a .npy/.npz file, got {mode!r}")
        stored = stored_arrays(mode)
        wanted = ("input",) if suffix == ".npy" else ("input", "weight", "bias")[:3 if spec.bias else 2]
        missing = [k for k in wanted if k not in stored]
        if missing:
            raise ValueError(f"values file {mode!r} must hold arrays {', '.join(wanted)}, missing {', '.join(missing)}")
        shapes = {"input": (spec.in_channels, *spec.input_size), "weight": spec.weight_shape,
                  "bias": (spec.out_channels,)}
        for name in wanted:  # the headers first: a file of the wrong shape is never read
            if stored[name].shape != tuple(shapes[name]):
                raise ValueError(f"values: {'x' if name == 'input' else name} must have shape "
                                 f"{tuple(shapes[name])}, got {stored[name].shape}")
        read = {name: stored[name].read() for name in wanted}
        x = read["input"]
        if suffix == ".npz":
            w, b = read["weight"], read.get("bias")
    try:
        y = evaluate(spec, x, w, b)
    except ValueError as exc:
        raise ValueError(f"values: {exc}") from None
    return LayerValues(np.asarray(x), np.asarray(w), None if b is None else np.asarray(b), y)
