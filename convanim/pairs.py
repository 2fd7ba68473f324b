"""Two layers in one gallery figure: ``beside`` (a second layer over the same input, at the same frame) and
``then`` (a second layer reading the first one's output, drawn after it).

    [[case]]
    name = "standard_beside_depthwise"
    layer = "nn.Conv2d(2, 2, 3, bias=False)"
    beside = "nn.Conv2d(2, 2, 3, groups=2, bias=False)"

    [[case]]
    name = "separable"
    layer = "nn.Conv2d(3, 3, 3, groups=3, bias=False)"
    then = "nn.Conv2d(3, 2, 1, bias=False)"      # reads the depthwise output

Each key gives the second layer's spec keys (`beside_spec`, `then_spec`); `combine` draws the two
animations as one (`convanim.scene.pair`).
"""

from __future__ import annotations

import dataclasses

from .pytorch import layer_text, parse_layer
from .spec import ConvSpec

__all__ = ["PAIR_KEYS", "SPEC_FIELDS", "beside_spec", "then_spec", "combine"]

#: Case keys naming a second layer.
PAIR_KEYS = ("beside", "then")
SPEC_FIELDS = tuple(f.name for f in dataclasses.fields(ConvSpec))  # a second layer's spec keys


def _second(key: str, layer, conv, opts: dict, input_size, example: str) -> ConvSpec:
    if not isinstance(layer, str):
        shown = repr(layer) if len(repr(layer)) <= 60 else repr(layer)[:57] + "..."
        raise ValueError(f"{key} must be a layer such as \"{example}\", got {shown}")
    if not isinstance(conv, ConvSpec) or conv.kind != "conv" or opts["view"] != "grid":
        raise ValueError(f"{key} draws two convolutions in the grid view")
    other = parse_layer(layer, input_size)
    if not isinstance(other, ConvSpec):
        raise ValueError(f"{key} must be a convolution, got {layer!r}")
    return other


def _fields(spec: ConvSpec) -> dict:
    return {k: getattr(spec, k) for k in SPEC_FIELDS}


def beside_spec(layer, conv, opts: dict) -> dict:
    """The spec keys of ``beside``: a layer over the case's input, with as many frames as the case's own."""
    other = _second("beside", layer, conv, opts, conv.input_size if isinstance(conv, ConvSpec) else None,
                    "nn.Conv2d(2, 2, 3, groups=2)")
    if (other.output_shape, other.out_channels) != (conv.output_shape, conv.out_channels):
        raise ValueError(
            f"beside must give the same output as the case's layer, so that each frame shows the same cell: "
            f"{other.out_channels} channels of {'×'.join(map(str, other.output_shape))} against "
            f"{conv.out_channels} of {'×'.join(map(str, conv.output_shape))}")
    return _fields(other)


def then_spec(layer, conv, opts: dict) -> dict:
    """The spec keys of ``then``: a layer reading the case's output (its channels and size)."""
    other = _second("then", layer, conv, opts, conv.output_shape if isinstance(conv, ConvSpec) else None,
                    "nn.Conv2d(3, 2, 1)")
    if other.in_channels != conv.out_channels:
        raise ValueError(f"then reads the case's output, so its in_channels must be the case's out_channels "
                         f"{conv.out_channels}, got {other.in_channels}")
    return _fields(other)


def combine(key: str, anim, other):
    """One animation of ``anim`` and ``other`` side by side, each under its PyTorch call: at the same frame
    (``beside``), or ``other`` after ``anim`` (``then``)."""
    from .animation import Animation
    from .scene.pair import ChainScene, PairScene

    headers = (layer_text(anim.spec), layer_text(other.spec))
    if key == "beside":
        scene, durations, word = PairScene(anim.scene, other.scene, headers), anim.durations, "beside"
    else:
        scene, word = ChainScene(anim.scene, other.scene, headers), "then"
        durations = [*anim.durations, *other.durations]
    scene.credit = anim.credit
    config = anim.comment.splitlines()[-1].split(": ", 1)[1] + f" {word} {other.spec!r}"
    return Animation(scene, spec=anim.spec, durations=durations, alt=scene.describe(), config=config,
                     flat_colours=False, credit=anim.credit, options=anim.options)
