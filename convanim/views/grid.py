"""The ``grid`` view: the input and output grids in a layout (``classic``: conv_arithmetic's slanted grids;
``flat``: top-down, side by side), one frame per kernel position.

It draws one channel (`convanim.scene.classic`, `convanim.scene.flat`), a layer with channels slice by slice
(`convanim.scene.channels`) and a pooling with its numbers (`convanim.scene.pool_classic`,
`convanim.scene.pool`); its page is the interactive player (`convanim.html`).
"""

from __future__ import annotations

import math
from dataclasses import replace

from ..html import grid_data, page_data
from ..html.depth import depth_page_data
from ..html.layer import layer_page_data
from .base import View, drawn_kind, rows_cols

__all__ = ["VIEW", "LAYOUTS", "grid_size", "layer_size"]

LAYOUTS = ("classic", "flat")
MAX_CELLS = 100  # drawn cells per axis


def _conv(spec, options, opts):
    if opts["layout"] == "classic":
        from ..scene.classic import ClassicScene

        return ClassicScene(spec, options)
    from ..scene.flat import FlatScene

    return FlatScene(spec, options)


def _layer(spec, options, opts):
    from ..scene.channels import ChannelScene

    return ChannelScene(spec, options, layout=opts["layout"], order=opts["channel_order"])


def _pool(spec, options, opts):  # numbers from seed 0 (the option's default): a maximum needs them
    from ..pool import make_pool_values

    values = make_pool_values(spec, opts["values"], opts["seed"])
    if opts["layout"] == "classic":
        from ..scene.pool_classic import PoolClassicScene

        return PoolClassicScene(spec, options, values=values)
    from ..scene.pool import PoolScene

    return PoolScene(spec, options, values=values)


def _check(spec, opts) -> None:
    if max(spec.grid_shape) > MAX_CELLS:
        raise ValueError(
            f"the {opts['layout']} layout draws at most {MAX_CELLS} cells per axis (padding included), "
            f"got a {'x'.join(map(str, spec.grid_shape))} grid: its cells would be too small to see on a screen; "
            "use a smaller input"
        )


def grid_size(spec, layout: str, cell_px, labels: bool, caption: bool) -> tuple[int, int]:
    """(width, height) of a one-channel grid frame in ``layout``: within a few pixels without text."""
    text_lines = int(bool(labels)) * 2 + int(bool(caption)) * spec.ndim
    (gr, gc), (orow, ocol) = rows_cols(spec.grid_shape), rows_cols(spec.output_shape)
    if layout == "flat":
        cell = 40 if cell_px is None else cell_px - cell_px % 2
        margin = max(2, 2 * round(max(12, cell / 2) / 2))
        gap = max(2, 2 * round(1.5 * cell / 2))
        line = max(12, 0.4 * cell) * 1.5
        width = gc * cell + gap + ocol * cell + 2 * margin
        height = 2 * margin + max(gr, orow) * cell + text_lines * line
        return int(width + width % 2), int(math.ceil(height / 2) * 2)
    # classic: the slanted grids' bounding box (`ClassicScene`)
    default = 150 / 2.54 / 2
    cell = default if cell_px is None else cell_px
    margin = 10 / 72 * 150 / default
    nudge = -2.5 / 72 * 150 / default
    xs = [-0.7 * gr, gc, nudge - 0.7 * orow, nudge + ocol]
    ys = [0.0, 0.5 * gc + 0.65 * gr, gr + 1.0, gr + 1.0 + 0.5 * ocol + 0.65 * orow]
    line = max(0.42 * cell, 10) * 1.2 / cell
    width = (max(xs) - min(xs) + 2 * margin) * cell
    height = (max(ys) - min(ys) + 2 * margin + text_lines * line) * cell
    return round(width), round(height)


def layer_size(spec, flat: bool, cell_px, labels: bool, caption: bool) -> tuple[int, int]:
    """A bound on a layer's frame: its slices in a row (classic) or a column (flat)."""
    one = replace(spec, in_channels=1, out_channels=1, groups=1, bias=False)
    w, h = grid_size(one, "flat" if flat else "classic", cell_px, labels, caption)
    n = max(spec.in_channels, spec.out_channels)
    return (2 * w, n * h) if flat else (n * w, 2 * h)


def _size(spec, opts) -> tuple[int, int]:
    text = opts["cell_px"], opts["labels"], opts["caption"]
    if drawn_kind(spec) == "layer":
        return layer_size(spec, opts["layout"] == "flat", *text)
    return grid_size(spec, opts["layout"], *text)


def _page(anim) -> dict:
    if drawn_kind(anim.spec) == "layer":
        one = grid_data(replace(anim.spec, in_channels=1, out_channels=1, groups=1, bias=False))
        one.pop("scheduled")
        return layer_page_data(anim.spec, anim.scene, one, theme=anim.scene.options.theme, durations=anim.durations,
                               alt=anim.alt)
    if anim.spec.ndim == 3:  # depth slices side by side (`convanim.scene.flat3d`)
        return depth_page_data(anim.spec, theme=anim.scene.options.theme, durations=anim.durations, alt=anim.alt)
    return page_data(anim.spec, view="grid", layout=anim.options["layout"], theme=anim.scene.options.theme,
                     values=getattr(anim.scene, "values", None), durations=anim.durations, alt=anim.alt)


VIEW = View(
    name="grid",
    summary="the input and output grids in a layout, one frame per kernel position",
    scenes={"conv": _conv, "layer": _layer, "pool": _pool},
    options=("layout", "cell_px", "width", "labels", "channel_order"),
    check=_check,
    limits={"cells": MAX_CELLS},
    size=_size,
    page=_page,
    page_kinds=("conv", "layer", "pool"),
    layouts=LAYOUTS,
    palette_only=True,
)
