"""Receptive fields through every path of a `Network`: closed forms per node, and the exact cells of one output cell.

The closed forms are Araujo et al.'s recurrences (Distill 2019), per axis::

    k_eff = d*(k-1) + 1
    r_l = r_{l-1} + (k_eff - 1) * j_{l-1}                 receptive field size
    j_l = j_{l-1} * s_l                                    jump (effective stride)
    start_l = start_{l-1} + ((k_eff - 1)/2 - p_l) * j_{l-1}   centre of output cell 0, on the input

carried along every path: where paths meet (``add``, ``cat``) the size is
given as the smallest and the largest over the paths, and the paths are
*aligned* when they have the same jump and start (else the join mixes cells
centred at different places of the input, and is said so, by how much).

The exact field walks back from one output cell: each layer's taps are the
product of its per-axis windows (`schedule` builds them so), so one layer maps
a set of cells back through one 0/1 matrix per axis (the taps that have a
source: not padding, not an inserted zero). Joins and pass-through layers map
every cell to itself; the union over a node's readers is its field. The same
walk with counts instead of 0/1 gives per input cell the number of paths to
the output cell (`path_counts`, the effective receptive field's support).

>>> from convanim.graph import Network
>>> net = Network(12, ["nn.Conv1d(1, 1, 3, padding=1)", "nn.Conv1d(1, 1, 3, padding=1)",
...                    {"join": "add", "inputs": ["input", "2"]}])     # a residual block
>>> [int(v) for v in path_counts(net, 5)]
[0, 0, 0, 1, 2, 4, 2, 1, 0, 0, 0, 0]
>>> [row["size_min"][0] for row in path_recurrences(net)][-1], [row["size"][0] for row in path_recurrences(net)][-1]
(Fraction(1, 1), Fraction(5, 1))
"""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np

from .checks import is_int
from .graphspec import AdaptiveSpec, JoinSpec, PassSpec
from .pool import PoolSpec
from .schedule import schedule
from .spec import ConvSpec

__all__ = ["recurrences", "path_recurrences", "receptive_fields", "receptive_field", "path_counts", "node_counts",
           "output_index", "axis_spec", "axis_relation", "back"]


def _dims(values) -> str:
    return "×".join(str(v) for v in values)


# -- closed forms ------------------------------------------------------------------

def _kernel_axes(spec):
    """(k_eff, stride, padding before) per axis, and whether the layer is transposed; None when not a window."""
    if isinstance(spec, PoolSpec):
        return [(d * (k - 1) + 1, s, p) for k, s, p, d in
                zip(spec.kernel_size, spec.stride, spec.padding, spec.dilation)], False
    if isinstance(spec, ConvSpec):
        return [(d * (k - 1) + 1, s, lo) for k, s, (lo, _), d in
                zip(spec.kernel_size, spec.stride, spec.pads, spec.dilation)], spec.transposed
    return None, False


def _step(spec, r, r_min, j, start):
    """(size, smallest size, jump, start) after one layer, as lists of Fractions (sizes None when they vary)."""
    if isinstance(spec, (PassSpec, JoinSpec)):
        return r, r_min, j, start
    if isinstance(spec, AdaptiveSpec):
        axes = []
        for a, (i, n) in enumerate(zip(spec.input_size, spec.output_size)):
            first, last = spec.windows(a)[0]
            even = i % n == 0
            axes.append((last - first, Fraction(i, n), 0, even))
        if not all(even for *_, even in axes):  # windows of different sizes: the size varies from cell to cell
            r = r_min = None
        axes = [(k, s, p) for k, s, p, _ in axes]
        transposed = False
    else:
        axes, transposed = _kernel_axes(spec)
    if transposed:
        start = [st + jj * (p - Fraction(k - 1, 2)) / s for (k, s, p), jj, st in zip(axes, j, start)]
        return None, None, [jj / s for (k, s, p), jj in zip(axes, j)], start
    grow = [(k - 1) * jj for (k, s, p), jj in zip(axes, j)]
    r = None if r is None else [a + b for a, b in zip(r, grow)]
    r_min = None if r_min is None else [a + b for a, b in zip(r_min, grow)]
    start = [st + (Fraction(k - 1, 2) - p) * jj for (k, s, p), jj, st in zip(axes, j, start)]
    return r, r_min, [jj * s for (k, s, p), jj in zip(axes, j)], start


def path_recurrences(network) -> list[dict]:
    """For the input and every node: ``size`` (largest over paths), ``size_min``, ``jump``, ``start`` per axis
    (Fractions; sizes None after a transposed layer or uneven adaptive pooling: `receptive_field` gives each cell's
    exactly), and at a join ``misaligned``: [] when every path has the first one's jump and start, else one
    ``{"input", "jump", "offset"}`` per path that differs (offset: its start minus the first path's, in input cells).

    A transposed layer with stride s divides the jump by s (its output cells
    are 1/s input cells apart on average) and puts the start at the centre of
    output 0's window mapped back onto its input, ``(p - (k_eff-1)/2) / s``
    input cells from cell 0.
    """
    n = network.ndim
    one = [Fraction(1)] * n
    out = [{"size": one, "size_min": one, "jump": one, "start": [Fraction(0)] * n, "misaligned": None}]
    for node in network.nodes:
        ins = [out[i] for i in node.inputs]
        first = ins[0]
        r, r_min, j, start = _step(node.spec, first["size"], first["size_min"], first["jump"], first["start"])
        row = {"misaligned": None}
        if len(ins) > 1:
            sizes = [s["size"] for s in ins]
            mins = [s["size_min"] for s in ins]
            r = None if any(s is None for s in sizes) else [max(v) for v in zip(*sizes)]
            r_min = None if any(s is None for s in mins) else [min(v) for v in zip(*mins)]
            row["misaligned"] = [
                {"input": network.nodes[i - 1].name if i else "input", "jump": [_num(v) for v in s["jump"]],
                 "offset": [_num(b - a) for a, b in zip(first["start"], s["start"])]}
                for i, s in zip(node.inputs[1:], ins[1:]) if s["jump"] != first["jump"] or s["start"] != first["start"]
            ]
        row.update(size=r, size_min=r_min, jump=j, start=start)
        out.append(row)
    return out


def recurrences(network) -> list[tuple]:
    """(size, jump, start) per axis for the input and every node, as Fractions (size: the largest over paths)."""
    return [(None if s["size"] is None else tuple(s["size"]), tuple(s["jump"]), tuple(s["start"]))
            for s in path_recurrences(network)]


def _num(value: Fraction):
    return int(value) if value.denominator == 1 else float(value)


# -- the exact receptive field ----------------------------------------------

def output_index(network, index) -> tuple[int, ...]:
    """The output cell ``index`` names (default: the network's ``output_cell``, else the centre), checked."""
    if not hasattr(network, "nodes") or not hasattr(network, "output_shape"):
        raise ValueError(f"network must be a Network, got {type(network).__name__}")
    shape = network.output_shape[1:]
    if index is None:
        index = getattr(network, "output_cell", None)
    if index is None:
        return tuple(o // 2 for o in shape)
    cell = (index,) if is_int(index) else tuple(index) if isinstance(index, (tuple, list)) else ()
    if len(cell) != len(shape) or not all(is_int(i) for i in cell):
        raise ValueError(f"output_index must be {len(shape)} int{'s' if len(shape) > 1 else ''} "
                         f"(a cell of the {_dims(shape)} output), got {index!r}")
    if not all(-o <= i < o for i, o in zip(cell, shape)):
        raise ValueError(f"output_index {index!r} is outside the {_dims(shape)} output of the last layer")
    return tuple(int(i) % o for i, o in zip(cell, shape))


def axis_spec(spec, axis: int):
    """The 1-D layer ``spec`` is along ``axis``: the same window, stride, padding and dilation there."""
    a = axis
    if isinstance(spec, PoolSpec):
        return PoolSpec(spec.mode, (spec.input_size[a],), (spec.kernel_size[a],), stride=(spec.stride[a],),
                        padding=(spec.padding[a],), dilation=(spec.dilation[a],), ceil_mode=spec.ceil_mode,
                        count_include_pad=spec.count_include_pad)
    lo, hi = spec.pads[a]
    return ConvSpec((spec.input_size[a],), (spec.kernel_size[a],), stride=(spec.stride[a],),
                    padding=(lo,) if spec.transposed else ((lo, hi),), dilation=(spec.dilation[a],),
                    transposed=spec.transposed, output_padding=(spec.output_padding[a],))


@functools.lru_cache(maxsize=1024)
def _relation(one_axis) -> np.ndarray:
    steps = schedule(one_axis)
    out = np.zeros((one_axis.input_size[0], len(steps)), np.float64)
    for o, step in enumerate(steps):
        for tap in step.taps:
            if tap.source is not None:
                out[tap.source[0], o] += 1
    out.flags.writeable = False
    return out


def axis_relation(spec, axis: int) -> np.ndarray | None:
    """(input cells, output cells) along ``axis``: how many taps of output cell o read input cell i (None: one)."""
    if isinstance(spec, (PassSpec, JoinSpec)):
        return None
    if isinstance(spec, AdaptiveSpec):
        out = np.zeros((spec.input_size[axis], spec.output_size[axis]))
        for o, (a, b) in enumerate(spec.windows(axis)):
            out[a:b, o] = 1
        return out
    return _relation(axis_spec(spec, axis))


def back(spec, grid: np.ndarray) -> np.ndarray:
    """The cells of a node's input that ``grid`` (over its output) reads, weighted by the taps."""
    for a in range(grid.ndim):
        rel = axis_relation(spec, a)
        if rel is not None:
            grid = np.moveaxis(np.tensordot(rel, grid, axes=([1], [a])), 0, a)
    return grid


def node_counts(network, index=None, *, counts: bool = True) -> list[np.ndarray]:
    """Over the input and every node's output (spatial only): per cell, the number of paths from it to the output
    cell ``index`` (``counts=False``: 1 where there is one, else 0). Floats: the counts grow geometrically."""
    out = output_index(network, index)
    grids = [np.zeros(shape[1:]) for shape in network.shapes]
    grids[-1][out] = 1
    for n in range(len(network.nodes), 0, -1):
        grid = grids[n]
        if not grid.any():
            continue
        node = network.nodes[n - 1]
        read = back(node.spec, grid)
        if not counts:
            read = np.minimum(read, 1)
        for i in node.inputs:
            grids[i] = grids[i] + read if counts else np.maximum(grids[i], read)
    return grids


def receptive_fields(network, output_index=None) -> list[np.ndarray]:
    """Boolean masks of the cells ``output_index`` depends on: over the input, then every node's output.

    The last mask holds the one chosen output cell (default: the centre,
    ``size // 2`` on each axis, or the network file's ``output_cell``;
    negative indices count from the end). A cell is in a node's mask when it
    reaches the output cell along some path: the union over every path,
    exactly (dilation holes and cells cut off by padding stay out).
    """
    return [g > 0 for g in node_counts(network, output_index, counts=False)]


def receptive_field(network, output_index=None) -> np.ndarray:
    """The input cells (spatial only) the chosen output cell of the last node depends on, exactly.

    Equal to the cells with a nonzero gradient in a linearised copy of the
    model (positive weights, max pooling as average pooling, pass-through
    layers as identity). Default: the centre cell of the last output.
    """
    return receptive_fields(network, output_index)[0]


def path_counts(network, output_index=None) -> np.ndarray:
    """Per input cell, the number of paths to the output cell through every tap (the effective receptive field's
    shape: for a stack, the convolution of the kernels' ones; Luo et al., 2016)."""
    return node_counts(network, output_index)[0]
