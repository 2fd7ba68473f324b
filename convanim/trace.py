"""`from_torch`: a live PyTorch model read into a `Network` with torch.fx (the user's own model, traced).

torch.fx runs the model's ``forward`` on symbolic values and records each
call; every call is then read without running anything else:

* convolutions (any groups, transposed, 1-D to 3-D), max and average pooling:
  read from the module's attributes;
* adaptive average or max pooling (``nn.AdaptiveAvgPool2d(7)``, ...);
* ``+``, ``torch.add``, ``Tensor.add``: an ``add`` join; ``torch.cat(..., dim=1)``: a ``cat`` join;
* layers that keep every cell where it is (activations, BatchNorm, Dropout,
  Identity, and their functional forms) pass through: those holding
  parameters (BatchNorm, PReLU) stay as nodes, the others are left out;
* reading stops at the first ``Flatten``, ``Linear``, ``flatten``, ``view`` or
  ``reshape``: past it every cell is mixed into one vector. The network's
  ``stopped`` says where.

Anything else is refused in one sentence naming its module path and type.
Nodes are named by module path (``layer1.0.conv1``), as torchinfo names them;
a join inside a module is named after it (``layer1.0.add``); a module called
again gets ``@1``, ``@2``. Parameters are each module's own
(``sum(p.numel())``), counted at its first call. torch is imported only here,
only when called: text input elsewhere is parsed, never run.
"""

from __future__ import annotations

import operator

from .graph import Network
from .graphspec import PASS_SIGNATURES, AdaptiveSpec
from .pytorch import SIGNATURES, Layer, module_layer

__all__ = ["from_torch"]

_STOP_MODULES = ("Flatten", "Linear", "LazyLinear", "Bilinear", "Unflatten")
_STOP_CALLS = ("flatten", "view", "reshape", "view_as", "reshape_as", "squeeze", "unsqueeze", "permute",
               "transpose", "mean", "sum", "linear")
_PASS_CALLS = ("relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu", "celu", "gelu",
               "silu", "mish", "hardswish", "hardsigmoid", "sigmoid", "sigmoid_", "tanh", "tanh_", "softplus",
               "dropout", "dropout1d", "dropout2d", "dropout3d", "contiguous", "clone", "clamp", "clamp_",
               "hardtanh", "hardtanh_", "batch_norm", "identity")
_ADD_CALLS = ("add", "add_", "iadd", "__add__", "__iadd__")
_SHAPE_QUERIES = ("size", "dim")
_READS = ("convolutions, pooling, adaptive pooling, add, cat along channels and shape-preserving layers "
          "(activations, BatchNorm, Dropout, Identity)")


def _call_name(target) -> str:
    return target if isinstance(target, str) else getattr(target, "__name__", str(target))


def _call_label(node) -> str:
    """``torch.flatten``, ``F.relu``, ``operator.add``, ``Tensor.view``: the call as the user wrote it."""
    import torch

    name = _call_name(node.target)
    if node.op == "call_method":
        return f"Tensor.{name}"
    for prefix, space in (("torch", torch), ("F", torch.nn.functional), ("operator", operator)):
        if getattr(space, name, None) is node.target:
            return f"{prefix}.{name}"
    return name


def _pass_layer(module, cls: str) -> Layer | None:
    """The pass-through node a module with parameters is (None for one without: it is left out)."""
    if cls.startswith("BatchNorm") and module.affine:
        return Layer(cls, (("num_features", module.num_features),), f"nn.{cls}({module.num_features})")
    if cls == "PReLU":
        n = module.num_parameters
        return Layer(cls, (("num_parameters", n),), f"nn.PReLU({n if n > 1 else ''})")
    return None


class _Reader:
    """Walks a traced graph once, in order, into `Network` node dicts."""

    def __init__(self, traced, ndim: int | None):
        self.traced, self.ndim = traced, ndim
        self.items: list[dict] = []
        self.ref: dict = {}  # fx node -> the name of the node that holds its value ("input" for the input)
        self.names: set = {"input"}
        self.seen_modules: set = set()
        self.stopped = ""
        self.output = None

    def name(self, node, base: str) -> str:
        stack = node.meta.get("nn_module_stack") or {}
        if node.op != "call_module" and stack:
            base = f"{list(stack)[-1]}.{base}"
        name, k = base, 0
        while name in self.names:
            k += 1
            name = f"{base}@{k}"
        self.names.add(name)
        return name

    def tensor(self, arg, where: str) -> str:
        if arg not in self.ref:
            raise ValueError(f"from_torch: {where} reads {arg!r}, which is not a tensor convanim follows "
                             f"(it reads {_READS})")
        return self.ref[arg]

    def add(self, node, base: str, inputs, **item) -> None:
        name = self.name(node, base)
        self.items.append({"name": name, "inputs": list(inputs), **item})
        self.ref[node] = name

    def read(self) -> None:
        for node in self.traced.graph.nodes:
            if node.op == "placeholder":
                if "input" in self.ref.values():
                    raise ValueError("from_torch: the model's forward takes more than one tensor; convanim reads "
                                     "models of one input")
                self.ref[node] = "input"
            elif node.op == "output":
                value = node.args[0]
                if isinstance(value, (tuple, list)):
                    raise ValueError(f"from_torch: the model returns {len(value)} values; convanim reads models "
                                     "that return one tensor")
                self.output = self.tensor(value, "the output")
            elif node.op == "get_attr":
                continue  # a parameter or buffer used by a later call: that call is refused if it needs it
            elif self.step(node):
                return

    def step(self, node) -> bool:
        """Read one call; True when reading stops here."""
        if node.op == "call_module":
            path = node.target
            module = self.traced.get_submodule(path)
            cls = type(module).__name__
            where = f"{path} (nn.{cls})"
            first = path not in self.seen_modules
            self.seen_modules.add(path)
            own = sum(p.numel() for p in module.parameters(recurse=False)) if first else 0
            if cls in _STOP_MODULES:
                return self.stop(node, where, "it mixes every cell into one vector")
            src = self.tensor(node.args[0], where) if node.args else None
            if cls in SIGNATURES:
                self.add(node, path, [src], layer=module_layer(module), parameters=own)
            elif cls in PASS_SIGNATURES:
                layer = _pass_layer(module, cls)
                if layer is None and not own:
                    self.ref[node] = src  # no parameters, nothing moves: left out
                else:
                    self.add(node, path, [src], layer=layer or Layer(cls, (), f"nn.{cls}()"), parameters=own)
            elif cls.startswith(("AdaptiveAvgPool", "AdaptiveMaxPool")) and cls[-2:] in ("1d", "2d", "3d"):
                n = int(cls[-2])
                size = module.output_size
                size = tuple(size) if isinstance(size, (tuple, list)) else (size,) * n
                spec = AdaptiveSpec((1,) * n, size, mode="avg" if "Avg" in cls else "max")
                self.add(node, path, [src], layer=spec, parameters=own)
            else:
                raise ValueError(f"from_torch: {where} is not a layer convanim reads; it reads {_READS}")
            return False
        target = _call_name(node.target)
        base = target.strip("_").rstrip("_") or target
        where = f"{self.name_hint(node, base)} ({_call_label(node)})"
        if target in _SHAPE_QUERIES:
            return False  # x.size(0): not a tensor; a later view or reshape stops the reading
        if target in _STOP_CALLS:
            return self.stop(node, where, "it changes the layout of the cells")
        tensors = [a for a in node.args if a in self.ref] + [v for v in node.kwargs.values() if v in self.ref]
        if target in _PASS_CALLS or node.target in (operator.mul, operator.truediv) and len(tensors) == 1:
            self.ref[node] = self.tensor(node.args[0], where)
        elif target in _ADD_CALLS or node.target in (operator.add, operator.iadd):
            if len(tensors) == 1:
                self.ref[node] = self.ref[tensors[0]]  # x + 1: every cell stays where it is
            else:
                self.add(node, "add", [self.tensor(a, where) for a in tensors], join="add")
        elif target == "cat":
            parts = node.args[0] if node.args else node.kwargs.get("tensors")
            dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", 0)
            if dim != 1 and not (self.ndim and dim == -(self.ndim + 1)):
                raise ValueError(f"from_torch: {where} joins along dim={dim}; convanim reads cat along channels "
                                 "(dim=1)")
            self.add(node, "cat", [self.tensor(a, where) for a in parts], join="cat")
        else:
            raise ValueError(f"from_torch: {where} is not a layer convanim reads; it reads {_READS}")
        return False

    def name_hint(self, node, base: str) -> str:
        stack = node.meta.get("nn_module_stack") or {}
        return f"{list(stack)[-1]}.{base}" if stack else base

    def stop(self, node, where: str, why: str) -> bool:
        src = node.args[0] if node.args else None
        self.output = self.tensor(src, where)
        self.stopped = f"reading stopped at {where}: {why}, so receptive fields end before it"
        return True


def _keep(items: list[dict], output: str) -> list[dict]:
    """The items ``output`` depends on, in order, with ``output`` last."""
    need, kept = {output}, []
    for item in reversed(items):
        if item["name"] in need:
            need.update(item["inputs"])
            kept.append(item)
    return kept[::-1]


def from_torch(module, input_size, *, in_channels: int | None = None):
    """The spec of a live ``torch.nn`` layer over ``input_size``; a `Network` for any other model.

    ``input_size`` is the spatial size (``224`` or ``(224, 224)``). A single
    Conv, ConvTranspose, MaxPool or AvgPool module gives its spec. Any other
    model is traced with ``torch.fx.symbolic_trace`` (its ``forward`` runs on
    symbolic values: this is the user's own code) and read as the module
    docstring says. ``in_channels`` defaults to the first layer's.
    """
    try:
        import torch.fx
    except ImportError:
        raise ValueError("from_torch needs PyTorch, which is not installed: pip install torch") from None
    if not isinstance(module, torch.nn.Module):
        raise ValueError(f"from_torch needs a torch.nn.Module, got {type(module).__name__}")
    cls = type(module).__name__
    if cls in SIGNATURES or (not list(module.children()) and cls != "Sequential"):
        return module_layer(module).build(input_size)
    try:
        traced = torch.fx.symbolic_trace(module)
    except Exception as exc:  # torch.fx raises many kinds; the user gets one sentence
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ValueError(f"from_torch: torch.fx cannot trace {cls} ({type(exc).__name__}: {first[:200]})") from None
    ndim = len(input_size) if isinstance(input_size, (tuple, list)) else None
    reader = _Reader(traced, ndim)
    reader.read()
    if reader.output in (None, "input"):
        what = "nn.Sequential" if cls == "Sequential" else cls
        raise ValueError(f"from_torch: the {what} holds no layer convanim draws"
                         + (f" ({reader.stopped})" if reader.stopped else ""))
    network = Network(input_size, _keep(reader.items, reader.output), in_channels=in_channels)
    network.stopped = reader.stopped
    return network
