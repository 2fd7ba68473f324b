"""A `ConvSpec` as a layer: weight shape, parameters, multiply-adds, and the depthwise-separable comparison.

Plain data for ``convanim shape`` (`explain` adds `layer_info` under
``"layer"``; ``--compare-separable`` adds `compare_separable` under
``"separable"``) and the lines `render_text` prints for them.

>>> from convanim import ConvSpec
>>> info = layer_info(ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2))
>>> info["weight_shape"], info["parameters"], info["macs"], info["depthwise"]
([4, 1, 3, 3], 36, 324, True)
>>> sep = compare_separable(ConvSpec(5, 3, in_channels=3, out_channels=8))
>>> sep["standard"]["parameters"], sep["separable"]["parameters"], sep["ratio"]["parameters"]
(216, 51, 0.236)
"""

from __future__ import annotations

from dataclasses import replace

from .spec import ConvSpec
from .words import count, plural

__all__ = ["layer_info", "compare_separable", "layer_lines", "pytorch_layer"]


def _py(values) -> str:
    """A tuple as PyTorch would accept it: the bare int when every axis agrees."""
    values = tuple(values)
    return str(values[0]) if len(set(values)) == 1 else str(values)


def pytorch_layer(spec: ConvSpec) -> str:
    """The equivalent PyTorch module, as Python source, with the spec's channels, groups and bias.

    It runs in PyTorch and builds the layer drawn: ``bias=False`` whenever the
    spec has no bias (a spec's default, while PyTorch's default has one), and
    padding PyTorch cannot express (causal, asymmetric) as an explicit
    ``ZeroPad`` layer first.
    """
    n = spec.ndim
    args = [f"kernel_size={_py(spec.kernel_size)}"]
    if any(s != 1 for s in spec.stride):
        args.append(f"stride={_py(spec.stride)}")
    pads = spec.pads
    symmetric = all(lo == hi for lo, hi in pads)
    pad_module = None
    if spec.padding == "same" and all(s == 1 for s in spec.stride):
        args.append("padding='same'")
    elif symmetric:
        if any(lo for lo, _ in pads):
            args.append(f"padding={_py(lo for lo, _ in pads)}")
    else:
        # PyTorch pads both ends equally: pad explicitly first (last axis first).
        order = tuple(v for lo_hi in reversed(pads) for v in lo_hi)
        pad_module = f"torch.nn.ZeroPad{n}d({order})"
    if spec.transposed and any(spec.output_padding):
        args.append(f"output_padding={_py(spec.output_padding)}")
    if any(d != 1 for d in spec.dilation):
        args.append(f"dilation={_py(spec.dilation)}")
    if spec.groups > 1:
        args.append(f"groups={spec.groups}")
    if not spec.bias:
        args.append("bias=False")
    kind = "ConvTranspose" if spec.transposed else "Conv"
    layer = f"torch.nn.{kind}{n}d({spec.in_channels}, {spec.out_channels}, {', '.join(args)})"
    return f"torch.nn.Sequential({pad_module}, {layer})" if pad_module else layer


def _kinds(spec: ConvSpec) -> list[str]:
    kinds = []
    if spec.depthwise and spec.in_channels > 1:
        kinds.append("depthwise")
    elif spec.groups > 1:
        kinds.append("grouped")
    if spec.pointwise:
        kinds.append("pointwise")
    return kinds


def layer_info(spec: ConvSpec) -> dict:
    """Channels, groups, bias, weight shape, parameter count and MACs for one input, as plain data."""
    return {
        "in_channels": spec.in_channels,
        "out_channels": spec.out_channels,
        "groups": spec.groups,
        "bias": spec.bias,
        "weight_shape": list(spec.weight_shape),
        "parameters": spec.parameters,
        "macs": spec.macs,
        "depthwise": spec.depthwise,
        "pointwise": spec.pointwise,
        "kinds": _kinds(spec),
        "multichannel": spec.multichannel,
        "pytorch": pytorch_layer(spec),
    }


def compare_separable(spec: ConvSpec) -> dict:
    """A standard convolution beside its depthwise + pointwise replacement.

    The depthwise layer keeps the spatial arithmetic (kernel, stride,
    padding, dilation) with ``groups = out_channels = in_channels``; the
    pointwise one is a 1x1 convolution from ``in_channels`` to
    ``out_channels`` over the depthwise output. Both have the spec's bias.
    The ratios are replacement / standard, rounded to 3 decimals.
    """
    if spec.transposed:
        raise ValueError("compare-separable needs a direct convolution, got transposed=True")
    if spec.groups != 1:
        raise ValueError(
            f"compare-separable starts from a standard convolution (groups=1), got groups={spec.groups}"
        )
    cin = spec.in_channels
    depthwise = replace(spec, out_channels=cin, groups=cin)
    shape = depthwise.output_shape
    n = spec.ndim
    pointwise = ConvSpec(shape, (1,) * n, stride=(1,) * n, padding=(0,) * n, dilation=(1,) * n,
                         in_channels=cin, out_channels=spec.out_channels, bias=spec.bias)
    parts = {"standard": spec, "depthwise": depthwise, "pointwise": pointwise}
    result = {name: _counts(s) for name, s in parts.items()}
    result["separable"] = {
        key: result["depthwise"][key] + result["pointwise"][key] for key in ("parameters", "macs")
    }
    result["ratio"] = {
        key: round(result["separable"][key] / result["standard"][key], 3) for key in ("parameters", "macs")
    }
    return result


def _counts(spec: ConvSpec) -> dict:
    return {"pytorch": pytorch_layer(spec), "weight_shape": list(spec.weight_shape),
            "parameters": spec.parameters, "macs": spec.macs, "output_shape": list(spec.output_shape)}


def _shape(values) -> str:
    return "×".join(str(v) for v in values)


def layer_lines(info: dict) -> list[str]:
    """Text lines for `explain`'s ``"layer"`` (when it has channels, groups or a bias) and ``"separable"``."""
    out = []
    layer = info.get("layer")
    if layer and layer["multichannel"]:
        bias = f" + {layer['out_channels']} bias" if layer["bias"] else ", no bias"
        kinds = f" ({', '.join(layer['kinds'])})" if layer["kinds"] else ""
        cin_g = layer["in_channels"] // layer["groups"]
        out.append(
            f"layer{kinds}: {layer['in_channels']} -> {layer['out_channels']} "
            f"{plural(max(layer['in_channels'], layer['out_channels']), 'channel')}, "
            f"groups {layer['groups']}: each output channel reads {cin_g} {plural(cin_g, 'input channel')}"
        )
        out.append(f"  weight {_shape(layer['weight_shape'])}{bias}: {count(layer['parameters'], 'parameter')}")
        out.append(f"  {count(layer['macs'], 'multiply-add')} (MACs) for one input")
    sep = info.get("separable")
    if sep:
        width = max(len(sep[name]["pytorch"]) for name in ("standard", "depthwise", "pointwise"))
        out.append("depthwise-separable replacement:")
        for name in ("standard", "depthwise", "pointwise"):
            row = sep[name]
            out.append(f"  {name + ':':<11}{row['pytorch']:<{width}}  "
                       f"{row['parameters']:>10,} parameters {row['macs']:>12,} MACs")
        total = sep["separable"]
        out.append(f"  {'separable:':<11}{'depthwise + pointwise':<{width}}  "
                   f"{total['parameters']:>10,} parameters {total['macs']:>12,} MACs")
        ratio = sep["ratio"]
        out.append(f"  separable / standard: {ratio['parameters']:g} of the parameters, {ratio['macs']:g} of the MACs")
    return out
