"""`Network`: a graph of layers over one input (nodes with named inputs); a stack is its simplest case.

Node 0 is the input; every other node is a layer (`ConvSpec`, `PoolSpec`,
`PassSpec`, `AdaptiveSpec`) reading one node, or a join (`JoinSpec`: ``add``,
``cat``) reading several. The last node is the output. Shapes flow forward
and every mismatch is one sentence naming the node; the receptive-field
arithmetic is in `convanim.fields`.

>>> net = Network(8, ["nn.Conv2d(1, 4, 3, padding=1)", "nn.ReLU()",
...                   {"name": "skip", "join": "add", "inputs": ["1", "2"]}])
>>> net.shapes[-1], net.nodes[-1].inputs
((4, 8, 8), (1, 2))
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from . import fields
from .graphspec import JOINS, AdaptiveSpec, JoinSpec, PassSpec
from .pool import PoolSpec
from .pytorch import Layer, layer_text, parse_layer_def
from .spec import ConvSpec

__all__ = ["Network", "Node", "MAX_LAYERS", "MAX_CELLS", "MAX_AXIS"]

#: The most nodes a network may have (ResNet-152 read by `from_torch` has about 470 without its activations).
MAX_LAYERS = 1000
#: The most cells any grid of a network may hold (its receptive-field masks are kept whole), and along one axis.
MAX_CELLS = 1 << 24
MAX_AXIS = 1 << 16
_SPECS = (ConvSpec, PoolSpec, PassSpec, AdaptiveSpec)


def _dims(values) -> str:
    return "×".join(str(v) for v in values)


def channels_out(spec) -> int:
    return spec.out_channels if isinstance(spec, ConvSpec) else spec.channels


def _first_channels(items) -> int:
    """The network's input channels: the first layer that names them (a pooling keeps what it gets)."""
    for item in items:
        if isinstance(item, dict):
            if "join" in item:
                continue
            item = item.get("layer")
        if isinstance(item, (PoolSpec, PassSpec, AdaptiveSpec)):
            return item.channels
        if isinstance(item, ConvSpec):
            return item.in_channels
        if isinstance(item, Layer) and item.in_channels is not None:
            return item.in_channels
    return 1


@dataclass(frozen=True)
class Node:
    """One node: its name (``layer1.0.conv1``, or its number in a stack), spec, inputs (node indices) and text."""

    name: str
    spec: object
    inputs: tuple
    text: str
    parameters: int = 0  # learned numbers it owns (a module called twice owns them once)

    @property
    def op(self) -> str:
        """``'conv'``, ``'transposed'``, ``'max'``, ``'avg'``, ``'adaptive'``, ``'pass'``, ``'add'`` or ``'cat'``."""
        s = self.spec
        if isinstance(s, ConvSpec):
            return "transposed" if s.transposed else "conv"
        if isinstance(s, PoolSpec):
            return s.mode
        if isinstance(s, JoinSpec):
            return s.op
        return "adaptive" if isinstance(s, AdaptiveSpec) else "pass"


class Network:
    """A graph of layers over one input size; a list of layers is a stack (each reads the one before).

    ``layers`` are specs (`ConvSpec`, `convanim.pool.PoolSpec`; their
    ``input_size`` is replaced by their input's output), layer strings
    (``"nn.Conv2d(1, 8, 3)"``, ``"nn.ReLU()"``, ``"nn.BatchNorm2d(8)"``) or one
    string of them separated by ``;``. A node of a graph is a dict:
    ``{"name": "b", "layer": <a layer as above>, "inputs": ["a"]}`` or
    ``{"name": "sum", "join": "add" | "cat", "inputs": ["a", "b"]}``; ``inputs``
    name earlier nodes (``"input"`` is the network's input) and default to the
    node before; ``name`` defaults to the node's number (1, 2, ...).
    ``input_size`` is the spatial size (an int for every axis, or a tuple);
    None takes the first spec's. ``in_channels`` defaults to the first layer's.
    """

    def __init__(self, input_size, layers, *, in_channels: int | None = None):
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
            first = layers[0].get("layer") if isinstance(layers[0], dict) else layers[0]
            if not isinstance(first, _SPECS):
                raise ValueError("input_size is required when the first layer is given as text")
            input_size = first.input_size
        items = [self._item(n, item) for n, item in enumerate(layers, 1)]
        channels = in_channels if in_channels is not None else _first_channels([i["layer"] or i for i in items])
        ndim = len(input_size) if isinstance(input_size, (tuple, list)) else None
        if ndim is None:
            ndim = next((i["layer"].ndim for i in items if i["layer"] is not None and i["layer"].ndim), None)
            if ndim is None:
                raise ValueError("input_size must give every axis (e.g. (32, 32)) when no layer fixes the axes")
            input_size = (input_size,) * ndim
        self.input_size = tuple(input_size)
        self.in_channels = channels
        index = {"input": 0}
        shapes = [(channels, *self.input_size)]
        nodes = []
        for n, item in enumerate(items, 1):
            name = item["name"] or str(n)
            if name in index:
                raise ValueError(f"layer {n}: the name {name!r} is taken (node names must differ)")
            inputs = []
            for ref in item["inputs"] if item["inputs"] is not None else [n - 1]:
                if isinstance(ref, int) and not isinstance(ref, bool) and 0 <= ref < n:
                    inputs.append(ref)
                elif isinstance(ref, str) and ref in index:
                    inputs.append(index[ref])
                else:
                    known = ", ".join(list(index)[-5:])
                    raise ValueError(f"layer {n} {name!r}: input {ref!r} is not an earlier node (one of ... {known})")
            node = self._build(n, name, item, inputs, shapes, nodes)
            for what, shape in (("input", node.spec.input_size), ("output", node.spec.output_shape)):
                if math.prod(shape) > MAX_CELLS or max(shape) > MAX_AXIS:
                    raise ValueError(f"{self._where(n, name, node.text)}: its {what} is {_dims(shape)} cells; "
                                     f"a network's grids hold at most {MAX_CELLS:,} cells, {MAX_AXIS:,} along an axis")
            own = item["parameters"]
            node = dataclasses.replace(node, parameters=int(getattr(node.spec, "parameters", 0) if own is None
                                                            else own))
            nodes.append(node)
            index[name] = n
            shapes.append((channels_out(node.spec), *node.spec.output_shape))
        self.nodes = tuple(nodes)
        self.layers = tuple(node.spec for node in nodes)
        self._shapes = shapes
        self.output_cell = None  # the cell traced when none is asked for (None: the centre)
        self.description = ""
        self.stopped = ""  # where and why `from_torch` stopped reading, if it did

    @staticmethod
    def _item(n: int, item) -> dict:
        """``{"name", "layer", "join", "inputs"}`` of a layer as given (text parsed, never run)."""
        out = {"name": None, "layer": None, "join": None, "inputs": None, "parameters": None}
        if isinstance(item, dict):
            bad = sorted(set(item) - set(out))
            if bad:
                raise ValueError(f"layer {n}: unknown key {bad[0]!r} "
                                 "(a node has name, layer or join, inputs, parameters)")
            if (item.get("layer") is None) == (item.get("join") is None):
                raise ValueError(f"layer {n}: give either layer or join (add or cat)")
            out.update(item)
            if out["join"] is not None and out["join"] not in JOINS:
                raise ValueError(f"layer {n}: join must be 'add' or 'cat', got {out['join']!r}")
            if out["inputs"] is not None and (isinstance(out["inputs"], str) or not hasattr(out["inputs"], "__iter__")):
                raise ValueError(f"layer {n}: inputs must be a list of node names, got {out['inputs']!r}")
            if out["name"] is not None and (not isinstance(out["name"], str) or not out["name"]):
                raise ValueError(f"layer {n}: name must be a non-empty string, got {out['name']!r}")
            item = out["layer"]
            if item is None:  # a join
                return out
        if isinstance(item, str):
            try:
                item = parse_layer_def(item)
            except ValueError as exc:
                raise ValueError(f"layer {n}: {exc}") from None
        elif not isinstance(item, (Layer, *_SPECS)):
            raise ValueError(f"layer {n} must be a ConvSpec, a PoolSpec or a layer string, got {type(item).__name__}")
        out["layer"] = item
        return out

    @staticmethod
    def _where(n: int, name: str, text: str) -> str:
        return f"layer {n} {text}" if name == str(n) else f"{name} ({text})"

    def _build(self, n: int, name: str, item: dict, inputs: list, shapes: list, built: list) -> Node:
        def label(i):
            if i == 0:
                return "the network input"
            node = built[i - 1]
            return self._where(i, node.name, node.text)

        if item["join"] is not None:
            op = item["join"]
            where = self._where(n, name, op)
            got = [shapes[i] for i in inputs]
            if len(inputs) < 2:
                raise ValueError(f"{where}: {op} joins at least 2 inputs, got {len(inputs)}")
            spatial = {s[1:] for s in got}
            if op == "add" and len(set(got)) > 1 or op == "cat" and len(spatial) > 1:
                rule = "inputs of one shape" if op == "add" else "inputs of one spatial size"
                listed = ", ".join(f"{_dims(s)} from {label(i)}" for s, i in zip(got, inputs))
                raise ValueError(f"{where}: {op} needs {rule}, got {listed}")
            channels = got[0][0] if op == "add" else sum(s[0] for s in got)
            spec = JoinSpec(op, got[0][1:], channels=channels, inputs=len(inputs))
            return Node(name, spec, tuple(inputs), spec.text)
        spec = item["layer"]
        text = (spec.text or f"nn.{spec.cls}") if isinstance(spec, Layer) else layer_text(spec)
        where = self._where(n, name, text)
        if len(inputs) != 1:
            raise ValueError(f"{where}: a layer reads one input, got {len(inputs)} (join them with add or cat)")
        (src,) = inputs
        prev = label(src)
        channels, *sized = shapes[src]
        sized = tuple(sized)
        if spec.ndim is not None and len(sized) != spec.ndim:
            raise ValueError(f"{where}: has {spec.ndim} spatial ax{'is' if spec.ndim == 1 else 'es'} "
                             f"but {prev} is {_dims(sized)}")
        need = spec.in_channels if isinstance(spec, (Layer, ConvSpec)) else None
        if isinstance(spec, PassSpec) and spec.cls.startswith("BatchNorm"):
            need = spec.parameters // 2 or None
        if need is not None and need != channels:
            raise ValueError(f"{where}: {'num_features' if 'BatchNorm' in text else 'in_channels'}={need} but "
                             f"{prev} gives {channels} channel{'s' if channels != 1 else ''}")
        try:
            if isinstance(spec, Layer):
                spec = spec.build(sized, channels=channels)
            elif isinstance(spec, (PoolSpec, PassSpec, AdaptiveSpec)):
                spec = dataclasses.replace(spec, input_size=sized, channels=channels)
            else:
                spec = dataclasses.replace(spec, input_size=sized)
        except ValueError as exc:
            if not built:
                raise ValueError(f"{where}: {_strip(exc)}") from None
            raise ValueError(f"{where}: its input is {_dims(sized)} ({prev}) and {_strip(exc)}") from None
        return Node(name, spec, (src,), layer_text(spec))

    # -- shapes --------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        if self.is_chain:
            return f"Network({self.input_size!r}, {list(self.names)!r})"
        return f"Network({self.input_size!r}, {len(self.nodes)} nodes, output {self.nodes[-1].name!r})"

    @property
    def is_chain(self) -> bool:
        """Every node reads the node before it: a stack."""
        return all(node.inputs == (n,) for n, node in enumerate(self.nodes))

    @property
    def ndim(self) -> int:
        return len(self.input_size)

    @property
    def names(self) -> tuple[str, ...]:
        """Each node as PyTorch source: ``nn.Conv2d(1, 1, 3, stride=2)``, ``nn.ReLU()``, ``add``."""
        return tuple(node.text for node in self.nodes)

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        """(C, *spatial) of the input and of every node's output."""
        return list(self._shapes)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self._shapes[-1]

    def consumers(self) -> list[list[int]]:
        """For the input and every node: the nodes that read it."""
        out = [[] for _ in range(len(self.nodes) + 1)]
        for n, node in enumerate(self.nodes, 1):
            for i in node.inputs:
                out[i].append(n)
        return out

    def summary(self, output_index=None) -> dict:
        """Per node: shape, parameters, MACs, receptive field (smallest and largest over paths), jump, start;
        where paths meet, whether they are aligned; totals; the exact field of one output cell."""
        stats = fields.path_recurrences(self)
        rows = []
        for n, (node, shape, st) in enumerate(zip(self.nodes, self._shapes[1:], stats[1:]), 1):
            r, r_min = st["size"], st["size_min"]
            row = {
                "index": n,
                "name": node.name,
                "layer": node.text,
                "op": node.op,
                "inputs": [self.nodes[i - 1].name if i else "input" for i in node.inputs],
                "output_shape": list(shape),
                "parameters": node.parameters,
                "macs": int(getattr(node.spec, "macs", 0)),
                "receptive_field": None if r is None else [_number(v) for v in r],
                "receptive_field_min": None if r_min is None else [_number(v) for v in r_min],
                "jump": [_number(v) for v in st["jump"]],
                "start": [_number(v) for v in st["start"]],
                "effective_padding": None if r is None else
                [_number((v - 1) / 2 - s) for v, s in zip(r, st["start"])],
            }
            if st.get("misaligned") is not None:
                row["aligned"] = not st["misaligned"]
                row["offsets"] = st["misaligned"] or []
            rows.append(row)
        out = fields.output_index(self, output_index)
        masks = fields.receptive_fields(self, out)
        field = masks[0]
        where = field.nonzero()
        empty = not field.any()  # an output cell that reads only padding
        first = None if empty else [int(w.min()) for w in where]
        last = None if empty else [int(w.max()) for w in where]
        size = [0] * self.ndim if empty else [b - a + 1 for a, b in zip(first, last)]
        info = {
            "input_shape": list(self._shapes[0]),
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
        if self.stopped:
            info["stopped"] = self.stopped
        return info


def _strip(exc: Exception) -> str:
    """The message of a layer error without its ``nn.X: `` prefix."""
    text = str(exc)
    head, sep, rest = text.partition(": ")
    return rest if sep and head.startswith("nn.") else text


def _number(value):
    """An int when whole, else a float (JSON-friendly)."""
    return int(value) if value.denominator == 1 else float(value)
