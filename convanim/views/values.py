"""The ``values`` view: the cells hold numbers and each frame writes out its sum (`convanim.scene.values`).

It also draws a layer with channels with its numbers (`convanim.scene.channel_values`) and a pooling over
its input's numbers (`convanim.scene.pool`); its page is the interactive player with numbers.
"""

from __future__ import annotations

import math
from dataclasses import replace

from ..html import grid_data, page_data
from ..html.layer import layer_page_data
from .base import View, drawn_kind, rows_cols, values_of
from .grid import layer_size

__all__ = ["VIEW"]

MAX_CELLS = 16  # drawn cells per axis
MAX_TAPS = 49  # kernel taps in the written sum


def _conv(spec, options, opts):
    from ..scene.values import ValuesScene

    return ValuesScene(spec, options, values=values_of(spec, opts))


def _layer(spec, options, opts):
    from ..layer_values import make_layer_values
    from ..scene.channel_values import ChannelValuesScene

    if opts["values"] == "symbols":
        raise ValueError("the values view of a layer with channels writes numbers: give values 'random' or a .npz file")
    values = make_layer_values(spec, opts["values"], opts["seed"])
    return ChannelValuesScene(spec, options, values=values, order=opts["channel_order"])


def _pool(spec, options, opts):
    from ..pool import make_pool_values
    from ..scene.pool import PoolScene

    return PoolScene(spec, options, values=make_pool_values(spec, opts["values"], opts["seed"]))


def _check(spec, opts) -> None:
    if max(spec.grid_shape) > MAX_CELLS:
        raise ValueError(
            f"the values view draws at most {MAX_CELLS} cells per axis (padding included), "
            f"got a {'x'.join(map(str, spec.grid_shape))} grid: its labels would not fit; "
            "use a smaller input or --view grid"
        )
    taps = math.prod(spec.kernel_size)
    if taps > MAX_TAPS:
        raise ValueError(
            f"the values view writes out sums of at most {MAX_TAPS} kernel taps, "
            f"got a {'x'.join(map(str, spec.kernel_size))} kernel ({taps} taps)"
        )


def _size(spec, opts) -> tuple[int, int]:
    cell_px, labels, caption = opts["cell_px"], opts["labels"], opts["caption"]
    if drawn_kind(spec) == "layer":  # the slices in a column
        return layer_size(spec, True, cell_px, labels, caption)
    text_lines = int(bool(labels)) * 2 + int(bool(caption)) * spec.ndim
    (gr, gc), (orow, ocol) = rows_cols(spec.grid_shape), rows_cols(spec.output_shape)
    kr, kc = rows_cols(spec.kernel_size)
    cell = cell_px or max(36, min(52, 480 // max(gr, gc)))
    sum_lines = 1 + math.prod(spec.kernel_size) // 6
    width = max((gc + kc + ocol) * cell + 110, 608)
    height = max(gr, kr, orow) * cell + 90 + 36 * sum_lines + 30 * text_lines
    return int(width), int(height)


def _page(anim) -> dict:
    if drawn_kind(anim.spec) == "layer":  # the grid view's slices, with the scene's numbers
        one = grid_data(replace(anim.spec, in_channels=1, out_channels=1, groups=1, bias=False))
        one.pop("scheduled")
        return layer_page_data(anim.spec, anim.scene, one, theme=anim.scene.options.theme, durations=anim.durations,
                               alt=anim.alt)
    return page_data(anim.spec, view="values", layout=anim.options["layout"], theme=anim.scene.options.theme,
                     values=getattr(anim.scene, "values", None), durations=anim.durations, alt=anim.alt)


VIEW = View(
    name="values",
    summary="cells with numbers, and the sum each step writes",
    scenes={"conv": _conv, "layer": _layer, "pool": _pool},
    options=("cell_px", "width", "labels", "values", "seed", "channel_order"),
    first_for=("values", "seed"),
    check=_check,
    limits={"cells": MAX_CELLS, "taps": MAX_TAPS},
    size=_size,
    page=_page,
    page_kinds=("conv", "layer", "pool"),
)
