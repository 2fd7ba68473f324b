"""A network from a TOML file or a bundled preset: a stack of ``[[layer]]`` tables, or a graph when they name inputs.

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
    layer = "nn.ReLU()"            # pass-through layers: activations, BatchNorm, Dropout, Identity
    [[layer]]
    pool = "max"                   # a PoolSpec: pool = "max" or "avg" and its keys
    kernel_size = 2

A branch: a table may take ``name = "..."`` and ``inputs = ["a", "b"]`` (earlier
names, or ``"input"``; default: the table before), and ``join = "add"`` or
``join = "cat"`` joins its inputs (see ``assets/networks/residual.toml``).
The text is parsed, never run.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .fields import output_index
from .graph import Network
from .pool import PoolSpec
from .spec import ConvSpec

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

__all__ = ["load_network", "network_path", "NETWORK_PRESETS"]

_LAYER_SPEC_KEYS = ("kernel_size", "stride", "padding", "dilation", "transposed", "output_padding", "in_channels",
                    "out_channels", "groups", "bias", "ceil_mode", "count_include_pad", "input_size")
_POOL_KEYS = ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "count_include_pad", "channels")
_NODE_KEYS = ("name", "inputs")

NETWORK_PRESETS = ("wavenet", "three_3x3", "one_7x7", "residual", "unet", "vgg16")
PRESET_DIR = Path(__file__).resolve().parent.parent / "assets" / "networks"


def _tuples(value):
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def network_path(source: str | os.PathLike) -> Path:
    """The file of a bundled network preset (``wavenet``, ``three_3x3``, ...) or the path given."""
    if not Path(source).suffix and str(source) in NETWORK_PRESETS:
        try:
            bundled = resources.files("convanim.networks") / f"{source}.toml"
            if bundled.is_file():
                return Path(str(bundled))
        except ModuleNotFoundError:
            pass
        return PRESET_DIR / f"{source}.toml"
    return Path(source)


def _node(label: str, table: dict) -> dict:
    """The node a ``[[layer]]`` table describes (`Network`'s dict form)."""
    if not isinstance(table, dict):
        raise ValueError(f"{label} must be a [[layer]] table (layer = \"nn.Conv2d(...)\" or spec keys), "
                         f"got {table!r:.60}")
    node = {k: table[k] for k in _NODE_KEYS if k in table}
    body = {k: v for k, v in table.items() if k not in _NODE_KEYS}
    if "inputs" in node and (not isinstance(node["inputs"], list) or
                             not all(isinstance(v, str) for v in node["inputs"])):
        raise ValueError(f"{label}: inputs must be a list of node names, got {node['inputs']!r}")
    if "join" in body:
        extra = sorted(set(body) - {"join"})
        if extra:
            raise ValueError(f"{label}: a join takes name, inputs and join, got {extra[0]!r}")
        return {**node, "join": body["join"]}
    if "layer" in body:
        extra = sorted(set(body) - {"layer"})
        if extra:
            raise ValueError(f"{label}: give either layer = \"...\" or spec keys, got layer and {extra[0]!r}")
        return {**node, "layer": body["layer"]}
    pool = body.get("pool")
    keys = ("pool",) + _POOL_KEYS if pool is not None else _LAYER_SPEC_KEYS
    bad = sorted(set(body) - set(keys))
    if bad:
        raise ValueError(f"{label}: unknown key {bad[0]!r}")
    fields = {k: _tuples(v) for k, v in body.items() if k != "pool"}
    fields.pop("input_size", None)  # replaced by the previous layer's output
    if "kernel_size" not in fields:
        raise ValueError(f"{label}: kernel_size is required")
    try:
        if pool is not None:
            return {**node, "layer": PoolSpec(pool, _big(fields), **fields)}
        return {**node, "layer": ConvSpec(input_size=_big(fields), **fields)}
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{label}: {exc}") from None


def load_network(path: str | os.PathLike, input_size=None) -> tuple[str, Network]:
    """(title, network) from a preset name or a TOML file; ``input_size`` overrides the file's."""
    path = network_path(path)
    where = path.name
    if not path.is_file():
        raise ValueError(f"network must be a preset ({', '.join(NETWORK_PRESETS)}) or a .toml file, "
                         f"got {str(path)!r}, which does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{where}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"title", "description", "input_size", "output_cell", "in_channels", "layer"})
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} "
                         "(expected title, description, input_size, in_channels, output_cell, [[layer]])")
    size = input_size if input_size is not None else _tuples(data.get("input_size"))
    if size is None:
        raise ValueError(f"{where}: input_size is required (in the file or with -i)")
    raw = data.get("layer")
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{where}: no layers: add [[layer]] tables holding layer = \"nn.Conv2d(...)\" or spec keys")
    nodes = [_node(f"{where}: layer {n}", table) for n, table in enumerate(raw, 1)]
    items = [node if len(node) > 1 or "layer" not in node else node["layer"] for node in nodes]
    channels = data.get("in_channels")
    try:
        network = Network(size, items, in_channels=channels)
        cell = _tuples(data.get("output_cell"))
        if cell is not None:
            output_index(network, cell)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    network.output_cell = cell
    network.description = str(data.get("description", ""))
    return str(data.get("title", path.stem)), network


def _big(fields) -> tuple:
    """A placeholder input size large enough for any kernel in ``fields`` (the network replaces it)."""
    n = max((len(v) for v in fields.values() if isinstance(v, tuple)), default=2)
    return (4096,) * n
