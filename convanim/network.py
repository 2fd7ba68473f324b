"""A stack of layers (`Network`), its summary, and the exact receptive field of an output cell.

Each layer's input is the previous layer's output. `receptive_field` walks
back through every layer's schedule (the taps that read an input cell), so it
is exact: holes left by dilation or by a stride larger than the kernel stay
holes, and cells cut off by padding are not counted. `summary` adds the
closed-form recurrences (Araujo et al., Distill 2019), per axis::

    k_eff = d*(k-1) + 1
    r_l = r_{l-1} + (k_eff - 1) * j_{l-1}                 receptive field size
    j_l = j_{l-1} * s_l                                    jump (effective stride)
    start_l = start_{l-1} + ((k_eff - 1)/2 - p_l) * j_{l-1}   centre of output cell 0, on the input

>>> net = Network(32, ["nn.Conv2d(1, 1, 3)", "nn.Conv2d(1, 1, 3, stride=2)", "nn.Conv2d(1, 1, 3, dilation=2)"])
>>> net.output_shape
(1, 10, 10)
>>> int(receptive_field(net).sum())
169
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from fractions import Fraction
from pathlib import Path

import numpy as np

from .checks import is_int
from .pytorch import Layer, layer_text, parse_layer_def

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

__all__ = ["Network", "receptive_field", "receptive_fields", "recurrences", "load_network", "network_path",
           "NETWORK_PRESETS", "MAX_LAYERS"]

MAX_LAYERS = 64
#: The most cells any grid of a network may hold (its receptive-field masks are kept whole), and along one axis.
MAX_CELLS = 1 << 24
MAX_AXIS = 1 << 16


def _dims(values) -> str:
    return "×".join(str(v) for v in values)


def _is_spec(obj) -> bool:
    from .pool import PoolSpec
    from .spec import ConvSpec

    return isinstance(obj, (ConvSpec, PoolSpec))


def _channels_out(spec) -> int:
    from .pool import PoolSpec

    return spec.channels if isinstance(spec, PoolSpec) else spec.out_channels


def _channels_in(spec) -> int:
    from .pool import PoolSpec

    return spec.channels if isinstance(spec, PoolSpec) else spec.in_channels


def _first_channels(items) -> int:
    """The network's input channels: the first layer that names them (a pooling keeps what it gets)."""
    from .pool import PoolSpec

    for item in items:
        if isinstance(item, PoolSpec):
            return item.channels
        if isinstance(item, Layer):
            if item.in_channels is not None:
                return item.in_channels
        else:
            return item.in_channels
    return 1


class Network:
    """An ordered stack of layers over one input size.

    ``layers`` are specs (`ConvSpec`, `convanim.pool.PoolSpec`; their
    ``input_size`` is replaced by the previous layer's output), layer strings
    (``"nn.Conv2d(1, 8, 3)"``) or one string of them separated by ``;``.
    ``input_size`` is the spatial size (an int for every axis, or a tuple); None
    takes the first spec's. The input channels are the first layer's.
    """

    def __init__(self, input_size, layers):
        if isinstance(layers, str):
            layers = [t for t in layers.split(";") if t.strip()]
        try:
            layers = list(layers)
        except TypeError:
            raise ValueError("layers must be a list of ConvSpec, PoolSpec or layer strings, or one string, "
                             f"got {type(layers).__name__}") from None
        if not layers:
            raise ValueError("a network needs at least one layer")
        if len(layers) > MAX_LAYERS:
            raise ValueError(f"a network has at most {MAX_LAYERS} layers, got {len(layers)}")
        if input_size is None:
            if not _is_spec(layers[0]):
                raise ValueError("input_size is required when the first layer is given as text")
            input_size = layers[0].input_size
        items = []
        for n, item in enumerate(layers, 1):
            if isinstance(item, str):
                try:
                    item = parse_layer_def(item)
                except ValueError as exc:
                    raise ValueError(f"layer {n}: {exc}") from None
            elif not isinstance(item, Layer) and not _is_spec(item):
                raise ValueError(
                    f"layer {n} must be a ConvSpec, a PoolSpec or a layer string, got {type(item).__name__}"
                )
            items.append(item)
        specs, size, channels = [], input_size, _first_channels(items)
        for n, item in enumerate(items, 1):
            spec = self._build(n, item, size, channels, specs)
            for what, shape in (("input", spec.input_size), ("output", spec.output_shape)):
                if math.prod(shape) > MAX_CELLS or max(shape) > MAX_AXIS:
                    raise ValueError(f"layer {n} {layer_text(spec)}: its {what} is {_dims(shape)} cells; "
                                     f"a network's grids hold at most {MAX_CELLS:,} cells, {MAX_AXIS:,} along an axis")
            specs.append(spec)
            size, channels = spec.output_shape, _channels_out(spec)
        self.layers = tuple(specs)
        self.output_cell = None  # the cell traced when none is asked for (None: the centre)
        self.description = ""
        self.input_size = tuple(specs[0].input_size)
        self.in_channels = _channels_in(specs[0])

    @staticmethod
    def _build(n: int, item, size, channels: int, built: list):
        from .pool import PoolSpec

        prev = f"layer {n - 1} {layer_text(built[-1])}" if built else "the network input"
        text = (item.text or f"nn.{item.cls}") if isinstance(item, Layer) else layer_text(item)
        where = f"layer {n} {text}"
        ndim = item.ndim
        if isinstance(size, (tuple, list)):
            sized = tuple(size)
            if len(sized) != ndim:
                raise ValueError(f"{where}: has {ndim} spatial ax{'is' if ndim == 1 else 'es'} "
                                 f"but {prev} is {_dims(sized)}")
        else:
            sized = (size,) * ndim
        # channels: a convolution names its own; a pooling keeps what it gets.
        need = item.in_channels if isinstance(item, Layer) or not isinstance(item, PoolSpec) else None
        if need is not None and need != channels:
            raise ValueError(f"{where}: in_channels={need} but {prev} gives {channels} channel"
                             f"{'s' if channels != 1 else ''}")
        try:
            if isinstance(item, Layer):
                return item.build(sized, channels=channels)
            if isinstance(item, PoolSpec):
                return dataclasses.replace(item, input_size=sized, channels=channels)
            return dataclasses.replace(item, input_size=sized)
        except ValueError as exc:
            if not built:
                raise ValueError(f"{where}: {_strip(exc)}") from None
            raise ValueError(f"{where}: its input is {_dims(sized)} ({prev}) and {_strip(exc)}") from None

    # -- shapes --------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        return f"Network({self.input_size!r}, {[layer_text(s) for s in self.layers]!r})"

    @property
    def ndim(self) -> int:
        return len(self.input_size)

    @property
    def names(self) -> tuple[str, ...]:
        """Each layer as PyTorch source: ``nn.Conv2d(1, 1, 3, stride=2)``."""
        return tuple(layer_text(s) for s in self.layers)

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        """(C, *spatial) of the input and of every layer's output."""
        return [(self.in_channels, *self.input_size)] + [
            (_channels_out(s), *s.output_shape) for s in self.layers
        ]

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.shapes[-1]

    def summary(self, output_index=None) -> dict:
        """Per layer: shape, parameters, MACs, receptive field size, jump, start; totals; the exact field."""
        rec = recurrences(self)
        rows = []
        for n, (spec, shape, (r, j, start)) in enumerate(zip(self.layers, self.shapes[1:], rec[1:]), 1):
            rows.append({
                "index": n,
                "layer": layer_text(spec),
                "output_shape": list(shape),
                "parameters": int(getattr(spec, "parameters", 0)),
                "macs": int(getattr(spec, "macs", 0)),
                "receptive_field": None if r is None else [_number(v) for v in r],
                "jump": [_number(v) for v in j],
                "start": [_number(v) for v in start],
            })
        out = _index(self, output_index)
        masks = receptive_fields(self, out)
        field = masks[0]
        where = np.nonzero(field)
        empty = not field.any()  # an output cell that reads only padding
        first = None if empty else [int(w.min()) for w in where]
        last = None if empty else [int(w.max()) for w in where]
        size = [0] * self.ndim if empty else [b - a + 1 for a, b in zip(first, last)]
        return {
            "input_shape": list(self.shapes[0]),
            "layers": rows,
            "total_parameters": sum(r["parameters"] for r in rows),
            "total_macs": sum(r["macs"] for r in rows),
            "receptive_field": {
                "output_cell": list(out),
                "cells": int(field.sum()),
                "size": size,
                "first": first,
                "last": last,
                "holes": int(math.prod(size) - field.sum()),
                "per_layer": [int(m.sum()) for m in masks],
            },
        }


def _strip(exc: Exception) -> str:
    """The message of a layer error without its ``nn.X: `` prefix."""
    text = str(exc)
    head, sep, rest = text.partition(": ")
    return rest if sep and head.startswith("nn.") else text


def _number(value: Fraction):
    """An int when whole, else a float (JSON-friendly)."""
    return int(value) if value.denominator == 1 else float(value)


def _kernel_axes(spec):
    """(k_eff, stride, padding before) per axis, and whether the layer is transposed."""
    from .pool import PoolSpec

    if isinstance(spec, PoolSpec):
        return [(d * (k - 1) + 1, s, p) for k, s, p, d in
                zip(spec.kernel_size, spec.stride, spec.padding, spec.dilation)], False
    return [(d * (k - 1) + 1, s, lo) for k, s, (lo, _), d in
            zip(spec.kernel_size, spec.stride, spec.pads, spec.dilation)], spec.transposed


def recurrences(network: Network) -> list[tuple]:
    """(size, jump, start) per axis for the input and every layer, as Fractions (size None after a transposed layer).

    A transposed layer with stride s divides the jump by s (its output cells
    are 1/s input cells apart on average) and puts the start at the centre of
    output 0's window mapped back onto its input, ``(p - (k_eff-1)/2) / s``
    input cells from cell 0. Which input cells a window meets depends on the
    output cell's phase modulo s, so the exact centres alternate around these
    values and the receptive field size varies from cell to cell: it and every
    later size are None (`receptive_field` gives each exactly).
    """
    n = network.ndim
    r = [Fraction(1)] * n
    j = [Fraction(1)] * n
    start = [Fraction(0)] * n
    out = [(tuple(r), tuple(j), tuple(start))]
    for spec in network.layers:
        axes, transposed = _kernel_axes(spec)
        if transposed:
            start = [st + jj * (p - Fraction(k - 1, 2)) / s for (k, s, p), jj, st in zip(axes, j, start)]
            j = [jj / s for (k, s, p), jj in zip(axes, j)]
            r = None
        else:
            if r is not None:
                r = [rr + (k - 1) * jj for (k, s, p), rr, jj in zip(axes, r, j)]
            start = [st + (Fraction(k - 1, 2) - p) * jj for (k, s, p), jj, st in zip(axes, j, start)]
            j = [jj * s for (k, s, p), jj in zip(axes, j)]
        out.append((None if r is None else tuple(r), tuple(j), tuple(start)))
    return out


# -- the exact receptive field ----------------------------------------------

def _index(network: Network, output_index) -> tuple[int, ...]:
    if not isinstance(network, Network):
        raise ValueError(f"network must be a Network, got {type(network).__name__}")
    shape = network.output_shape[1:]
    if output_index is None:
        output_index = getattr(network, "output_cell", None)
    if output_index is None:
        return tuple(o // 2 for o in shape)
    index = (output_index,) if is_int(output_index) else tuple(output_index) \
        if isinstance(output_index, (tuple, list)) else ()
    if len(index) != len(shape) or not all(is_int(i) for i in index):
        raise ValueError(f"output_index must be {len(shape)} int{'s' if len(shape) > 1 else ''} "
                         f"(a cell of the {_dims(shape)} output), got {output_index!r}")
    if not all(-o <= i < o for i, o in zip(index, shape)):
        raise ValueError(f"output_index {output_index!r} is outside the {_dims(shape)} output of the last layer")
    return tuple(int(i) % o for i, o in zip(index, shape))


def axis_spec(spec, axis: int):
    """The 1-D layer ``spec`` is along ``axis``: the same window, stride, padding and dilation there."""
    from .pool import PoolSpec
    from .spec import ConvSpec

    a = axis
    if isinstance(spec, PoolSpec):
        return PoolSpec(spec.mode, (spec.input_size[a],), (spec.kernel_size[a],), stride=(spec.stride[a],),
                        padding=(spec.padding[a],), dilation=(spec.dilation[a],), ceil_mode=spec.ceil_mode,
                        count_include_pad=spec.count_include_pad)
    lo, hi = spec.pads[a]
    return ConvSpec((spec.input_size[a],), (spec.kernel_size[a],), stride=(spec.stride[a],),
                    padding=(lo,) if spec.transposed else ((lo, hi),), dilation=(spec.dilation[a],),
                    transposed=spec.transposed, output_padding=(spec.output_padding[a],))


def receptive_fields(network: Network, output_index=None) -> list[np.ndarray]:
    """Boolean masks of the cells ``output_index`` depends on: over the input, then every layer's output.

    The last mask holds the one chosen output cell (default: the centre,
    ``size // 2`` on each axis, or the network file's ``output_cell``;
    negative indices count from the end).

    Every layer's taps are the product of its per-axis windows (`schedule`
    builds them so), so the cells a box of cells reads form a box again, and
    the field is the product of one field per axis. Each is found by walking
    back through the schedule of the layer along that axis (`axis_spec`): a
    cell is in it when a tap with a source (not padding, not an inserted zero)
    of a cell already in it reads that cell. Exact, and as fast for a 224x224
    input as for a 5x5 one.
    """
    from .schedule import schedule

    out = _index(network, output_index)
    per_axis = []
    for a, o in enumerate(out):
        current = np.zeros(network.output_shape[1 + a], bool)
        current[o] = True
        masks = [current]
        for spec in reversed(network.layers):
            steps = schedule(axis_spec(spec, a))
            grid = np.zeros(spec.input_size[a], bool)
            for flat in np.flatnonzero(masks[0]):
                for tap in steps[flat].taps:
                    if tap.source is not None:
                        grid[tap.source] = True
            masks.insert(0, grid)
        per_axis.append(masks)
    return [functools.reduce(np.multiply.outer, axes).astype(bool) for axes in zip(*per_axis)]


def receptive_field(network: Network, output_index=None) -> np.ndarray:
    """The input cells (spatial only) the chosen output cell of the last layer depends on, exactly.

    Found by walking back through each layer's schedule: a cell is in the
    field when some tap (with a source, not padding) of a cell in the field
    of the next layer reads it. Default: the centre cell of the last output.
    """
    return receptive_fields(network, output_index)[0]


# -- from a file --------------------------------------------------------------

_LAYER_SPEC_KEYS = ("kernel_size", "stride", "padding", "dilation", "transposed", "output_padding", "in_channels",
                    "out_channels", "groups", "bias", "ceil_mode", "count_include_pad", "input_size")
_POOL_KEYS = ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "count_include_pad", "channels")


def _tuples(value):
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


NETWORK_PRESETS = ("wavenet", "three_3x3", "one_7x7")
PRESET_DIR = Path(__file__).resolve().parent.parent / "assets" / "networks"


def network_path(source: str | os.PathLike) -> Path:
    """The file of a bundled network preset (``wavenet``, ``three_3x3``, ``one_7x7``) or the path given."""
    if not Path(source).suffix and str(source) in NETWORK_PRESETS:
        from importlib import resources

        try:
            bundled = resources.files("convanim.networks") / f"{source}.toml"
            if bundled.is_file():
                return Path(str(bundled))
        except ModuleNotFoundError:
            pass
        return PRESET_DIR / f"{source}.toml"
    return Path(source)


def load_network(path: str | os.PathLike, input_size=None) -> tuple[str, Network]:
    """(title, network) from a preset name or a TOML file; ``input_size`` overrides the file's.

    The file (``output_cell``, optional, is the cell traced by default)::

        title = "Three 3x3 convolutions"
        input_size = [32, 32]
        output_cell = [1, 1]
        [[layer]]
        layer = "nn.Conv2d(1, 1, 3)"
        [[layer]]                      # or the spec keys
        kernel_size = 3
        stride = 2
        [[layer]]
        pool = "max"                   # a PoolSpec: pool = "max" or "avg" and its keys
        kernel_size = 2
    """
    from .pool import PoolSpec
    from .spec import ConvSpec

    path = network_path(path)
    where = path.name
    if not path.is_file():
        raise ValueError(f"network must be a preset ({', '.join(NETWORK_PRESETS)}) or a .toml file, "
                         f"got {str(path)!r}, which does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{where}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"title", "description", "input_size", "output_cell", "layer"})
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} "
                         "(expected title, description, input_size, output_cell, [[layer]])")
    size = input_size if input_size is not None else _tuples(data.get("input_size"))
    if size is None:
        raise ValueError(f"{where}: input_size is required (in the file or with -i)")
    raw = data.get("layer")
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{where}: no layers: add [[layer]] tables holding layer = \"nn.Conv2d(...)\" or spec keys")
    items = []
    for n, table in enumerate(raw, 1):
        label = f"{where}: layer {n}"
        if not isinstance(table, dict):
            raise ValueError(f"{label} must be a [[layer]] table (layer = \"nn.Conv2d(...)\" or spec keys), "
                             f"got {table!r:.60}")
        if "layer" in table:
            extra = sorted(set(table) - {"layer"})
            if extra:
                raise ValueError(f"{label}: give either layer = \"...\" or spec keys, got layer and {extra[0]!r}")
            items.append(table["layer"])
            continue
        pool = table.get("pool")
        keys = ("pool",) + _POOL_KEYS if pool is not None else _LAYER_SPEC_KEYS
        bad = sorted(set(table) - set(keys))
        if bad:
            raise ValueError(f"{label}: unknown key {bad[0]!r}")
        fields = {k: _tuples(v) for k, v in table.items() if k != "pool"}
        fields.pop("input_size", None)  # replaced by the previous layer's output
        if "kernel_size" not in fields:
            raise ValueError(f"{label}: kernel_size is required")
        try:
            if pool is not None:
                items.append(PoolSpec(pool, _big(fields), **fields))
            else:
                items.append(ConvSpec(input_size=_big(fields), **fields))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{label}: {exc}") from None
    try:
        network = Network(size, items)
        cell = _tuples(data.get("output_cell"))
        if cell is not None:
            _index(network, cell)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    network.output_cell = cell
    network.description = str(data.get("description", ""))
    return str(data.get("title", path.stem)), network


def _big(fields) -> tuple:
    """A placeholder input size large enough for any kernel in ``fields`` (the network replaces it)."""
    n = max((len(v) for v in fields.values() if isinstance(v, tuple)), default=2)
    return (4096,) * n
