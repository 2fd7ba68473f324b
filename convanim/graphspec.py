"""The specs of a network's other nodes: pass-through layers, adaptive pooling, and the joins ``add`` and ``cat``.

Beside `ConvSpec` and `convanim.pool.PoolSpec` (the layers convanim draws),
a network also holds layers that keep every cell where it is (activations,
BatchNorm, Dropout, Identity: `PassSpec`), adaptive average pooling to a fixed
size (`AdaptiveSpec`) and the points where paths meet (`JoinSpec`). Plain
frozen values, like the others; the arithmetic of the graph is in
`convanim.graph` and `convanim.fields`.

>>> AdaptiveSpec((7, 5), (3, None), channels=8).windows(0)
[(0, 3), (2, 5), (4, 7)]
>>> PassSpec("BatchNorm2d", (8, 8), channels=4, parameters=8, args="4").text
'nn.BatchNorm2d(4)'
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

__all__ = ["PassSpec", "AdaptiveSpec", "JoinSpec", "PASS_SIGNATURES", "pass_arguments", "JOINS"]

#: Shape-preserving layers: class -> (signature, spatial axes or None for any). Their arguments change
#: neither the shape nor which cells feed which (in eval mode BatchNorm is a per-channel affine map).
PASS_SIGNATURES = {
    **{name: (("inplace",), None) for name in ("ReLU", "ReLU6", "SELU", "SiLU", "Mish", "Hardswish",
                                               "Hardsigmoid")},
    "LeakyReLU": (("negative_slope", "inplace"), None),
    "ELU": (("alpha", "inplace"), None),
    "CELU": (("alpha", "inplace"), None),
    "GELU": (("approximate",), None),
    "Sigmoid": ((), None),
    "Tanh": ((), None),
    "Softplus": (("beta", "threshold"), None),
    "PReLU": (("num_parameters", "init", "device", "dtype"), None),
    "Identity": ((), None),
    "Dropout": (("p", "inplace"), None),
    **{f"Dropout{n}d": (("p", "inplace"), n) for n in (1, 2, 3)},
    **{f"BatchNorm{n}d": (("num_features", "eps", "momentum", "affine", "track_running_stats", "device",
                           "dtype"), n) for n in (1, 2, 3)},
}

JOINS = ("add", "cat")


def pass_arguments(cls: str, call: ast.Call, written: str) -> dict:
    """The arguments of a pass-through layer call, read as literals (``ast.literal_eval``, never run)."""
    signature = PASS_SIGNATURES[cls][0]
    given: dict = {}
    if len(call.args) > len(signature):
        raise ValueError(f"{written}: takes at most {len(signature)} positional arguments, got {len(call.args)}")
    pairs = list(zip(signature, call.args)) + [(kw.arg, kw.value) for kw in call.keywords]
    for name, node in pairs:
        if name is None or name not in signature:
            raise ValueError(f"{written}: unknown keyword {name!r}" if name else
                             f"{written}: ** arguments are not allowed; give each argument by name")
        if name in given:
            raise ValueError(f"{written}: argument {name!r} is given twice")
        try:
            given[name] = ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            raise ValueError(f"{written}: {name}={ast.unparse(node)[:60]} is not a literal") from None
    if cls.startswith("BatchNorm"):
        if "num_features" not in given:
            raise ValueError(f"{written}: missing argument 'num_features'")
        n = given["num_features"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"{written}: num_features must be an int >= 1, got {n!r}")
        if not isinstance(given.get("affine", True), bool):
            raise ValueError(f"{written}: affine must be True or False, got {given['affine']!r}")
    if cls == "PReLU":
        n = given.get("num_parameters", 1)
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"{written}: num_parameters must be an int >= 1, got {n!r}")
    return given


class _SameShape:
    """A node whose output has its input's spatial shape (a pass-through layer, a join)."""

    @property
    def ndim(self) -> int:
        return len(self.input_size)

    @property
    def output_shape(self) -> tuple:
        return tuple(self.input_size)


@dataclass(frozen=True)
class PassSpec(_SameShape):
    """A layer that keeps the shape and every cell's place: an activation, BatchNorm, Dropout, Identity.

    ``parameters`` are its learned numbers (BatchNorm: weight and bias, 2 per
    channel when affine; PReLU: its slopes); it has no multiply-adds in
    PyTorch's FlopCounterMode.
    """

    cls: str
    input_size: tuple
    channels: int = 1
    parameters: int = 0
    args: str = ""  # the arguments as written back: "4" for nn.BatchNorm2d(4)

    @property
    def text(self) -> str:
        return f"nn.{self.cls}({self.args})"


@dataclass(frozen=True)
class AdaptiveSpec:
    """Adaptive pooling to ``size``: output cell o reads input cells floor(o*i/n) .. ceil((o+1)*i/n)-1 per axis.

    ``size`` holds an int per axis (None keeps that axis's input size), as
    PyTorch's ``output_size``. When ``i`` is a multiple of ``n`` it is pooling
    with kernel and stride ``i/n``; otherwise the windows differ in size.
    """

    input_size: tuple
    size: tuple
    channels: int = 1
    mode: str = "avg"

    def __post_init__(self):
        if len(self.size) != len(self.input_size):
            raise ValueError(f"output_size must have {len(self.input_size)} axes, got {self.size!r}")
        for n in self.size:
            if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
                raise ValueError(f"output_size must be ints >= 1 (or None), got {self.size!r}")

    @property
    def ndim(self) -> int:
        return len(self.input_size)

    @property
    def output_size(self) -> tuple:
        return tuple(i if n is None else n for i, n in zip(self.input_size, self.size))

    @property
    def output_shape(self) -> tuple:
        return self.output_size

    def windows(self, axis: int) -> list[tuple[int, int]]:
        """(first, last + 1) input cell of every output cell along ``axis`` (PyTorch's start and end index)."""
        i, n = self.input_size[axis], self.output_size[axis]
        return [(o * i // n, -(-(o + 1) * i // n)) for o in range(n)]

    @property
    def text(self) -> str:
        size = self.size
        shown = str(size[0]) if len(set(size)) == 1 else str(tuple(size))
        return f"nn.Adaptive{self.mode.capitalize()}Pool{self.ndim}d({shown})"

    @property
    def macs(self) -> int:
        return 0


@dataclass(frozen=True)
class JoinSpec(_SameShape):
    """Where paths meet: ``add`` (same shape, summed) or ``cat`` (along channels, dim 1)."""

    op: str
    input_size: tuple
    channels: int = 1
    inputs: int = 2

    @property
    def text(self) -> str:
        return "add" if self.op == "add" else "cat(dim=1)"

    @property
    def cells(self) -> int:
        return math.prod(self.input_size) * self.channels
