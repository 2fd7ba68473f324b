"""Paste a PyTorch layer: ``parse_layer("nn.Conv2d(3, 8, 3, stride=2)", input_size=32)`` -> its spec.

The text is read with Python's `ast` as literals only (ints, tuples, lists,
True/False, None, strings, negative numbers) and never evaluated. Positional
and keyword arguments follow PyTorch's signatures exactly, so anything PyTorch
would reject (an unknown keyword, a duplicate argument, too many positionals)
is refused with one sentence naming it, as is anything convanim does not draw.

>>> parse_layer("nn.Conv2d(3, 8, 3, stride=2, padding=1)", input_size=32).output_shape
(16, 16)
>>> layer_text(parse_layer("torch.nn.MaxPool2d(2)", input_size=8))
'nn.MaxPool2d(2)'
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass

from .checks import is_int
from .graphspec import PASS_SIGNATURES, PassSpec, pass_arguments
from .pool import PoolSpec
from .spec import ConvSpec

__all__ = ["Layer", "parse_layer", "parse_layer_def", "module_layer", "layer_text", "layer_slug", "LAYER_NAMES",
           "PASS_SIGNATURES"]

_MAX_TEXT = 2000
#: The file name layer text is parsed under: Python's warnings about it ("invalid decimal literal") stay quiet,
#: the refusal is the one sentence.
_SOURCE = "<convanim layer>"
warnings.filterwarnings("ignore", category=SyntaxWarning, module=_SOURCE)
#: Deepest nesting of the text's syntax tree read (a call of tuples of negative ints is 5 deep).
_MAX_DEPTH = 16

_CONV = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
         "padding_mode", "device", "dtype")
_CONVT = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias",
          "dilation", "padding_mode", "device", "dtype")
_CONV_DEFAULTS = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, "groups": 1, "bias": True,
                  "padding_mode": "zeros", "device": None, "dtype": None}
_MAXPOOL = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")
_AVGPOOL1 = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")
_AVGPOOL = _AVGPOOL1 + ("divisor_override",)
_POOL_DEFAULTS = {"stride": None, "padding": 0, "dilation": 1, "return_indices": False, "ceil_mode": False,
                  "count_include_pad": True, "divisor_override": None}

#: Layer class -> (signature, number of required arguments, number of spatial axes).
SIGNATURES = {
    **{f"Conv{n}d": (_CONV, 3, n) for n in (1, 2, 3)},
    **{f"ConvTranspose{n}d": (_CONVT, 3, n) for n in (1, 2, 3)},
    **{f"MaxPool{n}d": (_MAXPOOL, 1, n) for n in (1, 2, 3)},
    "AvgPool1d": (_AVGPOOL1, 1, 1),
    **{f"AvgPool{n}d": (_AVGPOOL, 1, n) for n in (2, 3)},
}
LAYER_NAMES = tuple(SIGNATURES)

_SIZE_ARGS = ("kernel_size", "stride", "padding", "dilation", "output_padding")
_CHANNEL_ARGS = ("in_channels", "out_channels", "groups")
_BOOL_ARGS = ("bias", "return_indices", "ceil_mode", "count_include_pad")


@dataclass(frozen=True)
class Layer:
    """A parsed layer without its input size: the PyTorch class name and its arguments.

    ``args`` holds every argument of the signature that matters for the
    drawing (defaults filled in), sizes as tuples of ``ndim`` ints.
    """

    cls: str
    args: tuple  # ((name, value), ...)
    text: str = ""  # as written, normalised: nn.Conv2d(1, 1, 3, stride=2)

    @property
    def ndim(self) -> int | None:
        """Spatial axes (None: a pass-through layer that takes any, such as nn.ReLU)."""
        if self.cls in PASS_SIGNATURES:
            return PASS_SIGNATURES[self.cls][1]
        return SIGNATURES[self.cls][2]

    @property
    def kind(self) -> str:
        """``'conv'``, ``'transposed'``, ``'max'``, ``'avg'`` or ``'pass'`` (shape-preserving: nn.ReLU, ...)."""
        if self.cls in PASS_SIGNATURES:
            return "pass"
        for prefix, kind in (("ConvTranspose", "transposed"), ("Conv", "conv"), ("MaxPool", "max"),
                             ("AvgPool", "avg")):
            if self.cls.startswith(prefix):
                return kind
        raise AssertionError(self.cls)

    @property
    def in_channels(self) -> int | None:
        """Input channels the layer needs (None for a pooling or an activation: it keeps what it gets)."""
        a = dict(self.args)
        if self.cls.startswith("BatchNorm"):
            return a["num_features"]
        if self.cls == "PReLU" and a.get("num_parameters", 1) > 1:
            return a["num_parameters"]
        return a.get("in_channels")

    def build(self, input_size, channels: int = 1):
        """The spec over ``input_size`` (an int or ``ndim`` ints); pools and pass-through layers get ``channels``."""
        ndim = self.ndim if self.ndim is not None else (len(input_size) if isinstance(input_size, tuple) else 2)
        size = _size("input_size", input_size, ndim, f"nn.{self.cls}")
        a = dict(self.args)
        if self.kind == "pass":
            params = 0
            if self.cls.startswith("BatchNorm") and a.get("affine", True):
                params = 2 * channels
            elif self.cls == "PReLU":
                params = a.get("num_parameters", 1)
            inside = self.text[self.text.index("(") + 1:-1] if "(" in self.text else ""
            return PassSpec(self.cls, size, channels=channels, parameters=params, args=inside)
        try:
            if self.kind in ("conv", "transposed"):
                extra = {"output_padding": a["output_padding"]} if self.kind == "transposed" else {}
                return ConvSpec(
                    input_size=size, kernel_size=a["kernel_size"], stride=a["stride"], padding=a["padding"],
                    dilation=a["dilation"], transposed=self.kind == "transposed", in_channels=a["in_channels"],
                    out_channels=a["out_channels"], groups=a["groups"], bias=a["bias"], **extra,
                )
            extra = {"dilation": a["dilation"]} if self.kind == "max" else {"count_include_pad": a["count_include_pad"]}
            return PoolSpec(self.kind, size, a["kernel_size"], stride=a["stride"], padding=a["padding"],
                            ceil_mode=a["ceil_mode"], channels=channels, **extra)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"nn.{self.cls}: {exc}") from None


def _size(name: str, value, ndim: int, where: str) -> tuple[int, ...]:
    """An int broadcast to ``ndim`` axes, or a tuple of ``ndim`` ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * ndim
    if len(values) != ndim or not all(is_int(v) for v in values):
        raise ValueError(f"{where}: {name} must be an int or {ndim} int{'s' if ndim > 1 else ''}, got {value!r}")
    return tuple(int(v) for v in values)


# -- reading the text --------------------------------------------------------

_LITERALS = "ints, tuples, True/False, None or strings"


def _literal(node, where: str, arg: str):
    """The value of a literal argument node; one sentence for anything else."""
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, (bool, int, str)):
            return value
        raise ValueError(f"{where}: {arg}={ast.unparse(node)} is a {type(value).__name__}; arguments are {_LITERALS}")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):  # -2 and +2, as Python reads them
        value = _literal(node.operand, where, arg)
        if type(value) is int:
            return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_literal(e, where, arg) for e in node.elts)
    what = {ast.Call: "a call", ast.Attribute: "an attribute", ast.Name: "a name", ast.Starred: "a starred argument",
            ast.BinOp: "an expression", ast.Dict: "a dict", ast.Set: "a set"}.get(type(node), "not a literal")
    raise ValueError(f"{where}: {arg}={_short(ast.unparse(node))} is {what}; arguments are {_LITERALS}")


def _depth(node) -> int:
    """The depth of a syntax tree, walked without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _class_name(func) -> tuple[str, str]:
    """(written name, class name) of ``nn.X`` / ``torch.nn.X`` / ``X``."""
    written = ast.unparse(func)
    if isinstance(func, ast.Name):
        return written, func.id
    if isinstance(func, ast.Attribute) and written in (f"nn.{func.attr}", f"torch.nn.{func.attr}"):
        return written, func.attr
    raise ValueError(f"layer must be nn.NAME(...), torch.nn.NAME(...) or NAME(...), got {_short(written)}(...)")


def parse_layer_def(text: str) -> Layer:
    """The `Layer` a PyTorch layer expression describes (no input size yet)."""
    if not isinstance(text, str):
        raise ValueError(f"layer must be a string like 'nn.Conv2d(1, 1, 3)', got {type(text).__name__}")
    if len(text) > _MAX_TEXT:
        raise ValueError(f"layer text must be at most {_MAX_TEXT} characters, got {len(text)}")
    stripped = text.strip()
    if "\x00" in stripped:
        raise ValueError("layer text must not contain NUL characters")
    try:
        tree = ast.parse(stripped, filename=_SOURCE, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"layer {_short(stripped)!r} is not a Python expression ({exc.msg})") from None
    except UnicodeError:
        raise ValueError("layer text must be valid Unicode (it holds an undecodable character)") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"layer {_short(stripped)!r} is nested too deeply to read") from None
    depth = _depth(tree.body)
    if depth > _MAX_DEPTH:  # before anything recursive (ast.unparse) reads the tree
        raise ValueError(f"layer text must nest at most {_MAX_DEPTH} levels deep (operators, attributes, brackets), "
                         f"got {depth}: {_short(stripped)!r}")
    call = tree.body
    if not isinstance(call, ast.Call):
        raise ValueError(f"layer must be a call like nn.Conv2d(1, 1, 3), got {_short(stripped)!r}")
    written, cls = _class_name(call.func)
    if cls in PASS_SIGNATURES:  # shape-preserving: kept in the network, nothing to draw
        given = pass_arguments(cls, call, written)
        return Layer(cls, tuple(given.items()), f"nn.{cls}({ast.unparse(call)[len(written) + 1:]}")
    if cls not in SIGNATURES:
        raise ValueError(
            f"{written} is not a layer convanim draws; it draws Conv1d/2d/3d, ConvTranspose1d/2d/3d, "
            "MaxPool1d/2d/3d and AvgPool1d/2d/3d"
        )
    signature, required, ndim = SIGNATURES[cls]
    given: dict = {}
    if len(call.args) > len(signature):
        raise ValueError(f"{written}: takes at most {len(signature)} positional arguments, got {len(call.args)}")
    for name, node in zip(signature, call.args):
        if isinstance(node, ast.Starred):
            raise ValueError(f"{written}: *{_short(ast.unparse(node.value))} is a starred argument; "
                             f"arguments are {_LITERALS}")
        given[name] = _literal(node, written, name)
    for kw in call.keywords:
        if kw.arg is None:
            raise ValueError(f"{written}: **{_short(ast.unparse(kw.value))} is not allowed; "
                             "give each argument by name")
        if kw.arg not in signature:
            raise ValueError(f"{written}: unknown keyword {kw.arg!r}")
        if kw.arg in given:
            raise ValueError(f"{written}: argument {kw.arg!r} is given twice")
        given[kw.arg] = _literal(kw.value, written, kw.arg)
    return _layer(written, cls, given, f"nn.{cls}({ast.unparse(call)[len(written) + 1:]}")


def _layer(written: str, cls: str, given: dict, text: str = "") -> Layer:
    """Check the arguments of ``cls`` (by name) and fill in PyTorch's defaults."""
    signature, required, ndim = SIGNATURES[cls]
    missing = [n for n in signature[:required] if n not in given]
    if missing:
        raise ValueError(f"{written}: missing argument {missing[0]!r}")
    is_conv = cls.startswith("Conv")
    defaults = _CONV_DEFAULTS if is_conv else _POOL_DEFAULTS
    args = {n: given.get(n, defaults.get(n)) for n in signature}
    for name in ("device", "dtype"):
        if args.get(name) is not None:
            raise ValueError(f"{written}: {name}={args[name]!r} does not change the arithmetic; leave it out")
    if args.get("padding_mode", "zeros") != "zeros":
        raise ValueError(f"{written}: padding_mode={args['padding_mode']!r} is not drawn; only 'zeros' is")
    if args.get("divisor_override") is not None:
        raise ValueError(
            f"{written}: divisor_override={args['divisor_override']!r} is not drawn; leave it out "
            "(the divisor follows count_include_pad)"
        )
    for name in _CHANNEL_ARGS:
        if name in args and (not isinstance(args[name], int) or isinstance(args[name], bool)):
            raise ValueError(f"{written}: {name} must be an int, got {args[name]!r}")
    for name in _BOOL_ARGS:
        if name in args and not isinstance(args[name], bool):
            raise ValueError(f"{written}: {name} must be True or False, got {args[name]!r}")
    for name in _SIZE_ARGS:
        if name not in args or (name == "stride" and args[name] is None):
            continue
        value = args[name]
        if name == "padding" and isinstance(value, str):
            if not is_conv or cls.startswith("ConvTranspose"):
                raise ValueError(f"{written}: padding must be an int or {ndim} ints, got {value!r}")
            continue
        _size(name, value, ndim, written)
        args[name] = tuple(value) if isinstance(value, (tuple, list)) else value
    if is_conv and isinstance(args["padding"], str):
        mode = args["padding"]
        if mode not in ("valid", "same"):  # PyTorch's two ('causal' is convanim's own -p flag, not PyTorch's)
            ints = f"{ndim} int{'s' if ndim > 1 else ''}"
            raise ValueError(f"{written}: padding must be an int, {ints}, 'valid' or 'same', got {mode!r}")
        if mode == "same" and any(s != 1 for s in _size("stride", args["stride"], ndim, written)):
            raise ValueError(
                f"{written}: padding='same' needs stride=1 (as in PyTorch), got stride={given['stride']!r}"
            )
    keep = [n for n in signature if n not in ("device", "dtype", "padding_mode", "divisor_override", "return_indices")]
    return Layer(cls, tuple((n, args[n]) for n in keep), text)


def parse_layer(text: str, input_size=None):
    """The spec of a PyTorch layer written as text, over ``input_size`` (the spatial size).

    ``text`` is ``nn.Conv2d(3, 8, 3, stride=2, padding=1)``, with the prefix
    ``nn.``, ``torch.nn.`` or none, and PyTorch's positional and keyword
    arguments; channels come from the layer (a pooling gets 1). The result is a
    `ConvSpec` (``bias=True`` unless the text says otherwise, PyTorch's
    default) or a `convanim.pool.PoolSpec`. Bad text raises one ValueError
    sentence naming what is wrong.
    """
    layer = parse_layer_def(text)
    if input_size is None:
        raise ValueError(f"input_size is required for nn.{layer.cls}: the spatial size of its input, e.g. 32")
    return layer.build(input_size)


# -- from a live module ------------------------------------------------------

def module_layer(module) -> Layer:
    """The `Layer` a live Conv/ConvTranspose/MaxPool/AvgPool module is, read from its attributes."""
    cls = type(module).__name__
    where = f"nn.{cls}"
    if cls not in SIGNATURES:
        raise ValueError(f"from_torch: {where} is not a layer convanim draws; it draws Conv, ConvTranspose, "
                         "MaxPool and AvgPool layers and nn.Sequential stacks of them")
    signature = SIGNATURES[cls][0]
    given = {}
    for name in signature:
        if name in ("device", "dtype"):
            continue
        if name == "bias":
            given[name] = module.bias is not None
        elif hasattr(module, name):
            value = getattr(module, name)
            given[name] = tuple(value) if isinstance(value, list) else value
    layer = _layer(where, cls, given)
    return Layer(layer.cls, layer.args, layer_text(layer.build((4096,) * layer.ndim)))


# -- writing a spec back as text ---------------------------------------------

def _py(values) -> str:
    values = tuple(values)
    return str(values[0]) if len(set(values)) == 1 else str(values)


def layer_text(spec) -> str:
    """The PyTorch layer a spec is, in the short form: ``nn.Conv2d(1, 8, 3, stride=2)``."""
    if not isinstance(spec, (PoolSpec, ConvSpec)):  # a pass-through layer, adaptive pooling or a join
        return spec.text
    n = spec.ndim
    if isinstance(spec, PoolSpec):
        args = [_py(spec.kernel_size)]
        if spec.stride != spec.kernel_size:
            args.append(f"stride={_py(spec.stride)}")
        if any(spec.padding):
            args.append(f"padding={_py(spec.padding)}")
        if spec.mode == "max" and any(d != 1 for d in spec.dilation):
            args.append(f"dilation={_py(spec.dilation)}")
        if spec.ceil_mode:
            args.append("ceil_mode=True")
        if spec.mode == "avg" and not spec.count_include_pad:
            args.append("count_include_pad=False")
        return f"nn.{'Max' if spec.mode == 'max' else 'Avg'}Pool{n}d({', '.join(args)})"
    args = [str(spec.in_channels), str(spec.out_channels), _py(spec.kernel_size)]
    if any(s != 1 for s in spec.stride):
        args.append(f"stride={_py(spec.stride)}")
    pads, pad_layer = spec.pads, ""
    if spec.padding in ("valid", "same") and (spec.padding == "valid" or all(s == 1 for s in spec.stride)):
        if spec.padding != "valid":
            args.append(f"padding={spec.padding!r}")
    elif all(lo == hi for lo, hi in pads):
        if any(lo for lo, _ in pads):
            args.append(f"padding={_py(lo for lo, _ in pads)}")
    else:  # PyTorch pads both ends alike: causal or uneven padding is a ZeroPad layer first (last axis first)
        pad_layer = f"nn.ZeroPad{n}d({tuple(v for lo_hi in reversed(pads) for v in lo_hi)})"
    if spec.transposed and any(spec.output_padding):
        args.append(f"output_padding={_py(spec.output_padding)}")
    if spec.groups != 1:
        args.append(f"groups={spec.groups}")
    if not spec.bias:
        args.append("bias=False")
    if any(d != 1 for d in spec.dilation):
        args.append(f"dilation={_py(spec.dilation)}")
    layer = f"nn.{'ConvTranspose' if spec.transposed else 'Conv'}{n}d({', '.join(args)})"
    return f"nn.Sequential({pad_layer}, {layer})" if pad_layer else layer


def layer_slug(spec) -> str:
    """A file-name stem: ``conv2d_k3_s2``, ``maxpool2d_k2_s2``, ``convtranspose1d_k3_s2_p1``."""
    n = spec.ndim
    if isinstance(spec, PoolSpec):
        name = f"{spec.mode}pool{n}d"
        pads = spec.padding
    else:
        name = f"{'convtranspose' if spec.transposed else 'conv'}{n}d"
        pads = spec.padding if isinstance(spec.padding, str) else tuple(lo for lo, _ in spec.pads)

    def dims(values):
        return "x".join(str(v) for v in dict.fromkeys(values)) if len(set(values)) == 1 else "x".join(map(str, values))

    parts = [name, f"k{dims(spec.kernel_size)}"]
    if any(s != 1 for s in spec.stride):
        parts.append(f"s{dims(spec.stride)}")
    if isinstance(pads, str):
        if pads != "valid":
            parts.append(pads)
    elif any(pads):
        parts.append(f"p{dims(pads)}")
    if any(d != 1 for d in spec.dilation):
        parts.append(f"d{dims(spec.dilation)}")
    return "_".join(parts)
