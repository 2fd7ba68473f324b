"""The ``1d`` view: one row of cells with numbers, the kernel sliding along it and each sum written out
(`convanim.scene.oned`); ``flip`` draws the mathematical convolution (kernel flipped)."""

from __future__ import annotations

import math

from ..html import page_data
from ..html.oned import oned_fields
from .base import View, rows_cols, values_of

__all__ = ["VIEW"]

MAX_CELLS = 64  # drawn cells
MAX_TAPS = 16  # kernel taps in the written sum


def _conv(spec, options, opts):
    from ..scene.oned import OneDScene

    return OneDScene(spec, options, flip=opts["flip"], values=values_of(spec, opts))


def _check(spec, opts) -> None:
    if max(spec.grid_shape) > MAX_CELLS:
        raise ValueError(
            f"the 1-D view draws at most {MAX_CELLS} cells (padding included), "
            f"got a {'x'.join(map(str, spec.grid_shape))} grid: its row would not fit a screen; use a smaller input"
        )
    taps = math.prod(spec.kernel_size)
    if taps > MAX_TAPS:
        raise ValueError(
            f"the 1-D view writes out sums of at most {MAX_TAPS} kernel taps, "
            f"got a {'x'.join(map(str, spec.kernel_size))} kernel ({taps} taps)"
        )


def _size(spec, opts) -> tuple[int, int]:
    cell_px = opts["cell_px"]
    text_lines = int(bool(opts["labels"])) * 2 + int(bool(opts["caption"])) * spec.ndim
    _, gc = rows_cols(spec.grid_shape)
    _, kc = rows_cols(spec.kernel_size)
    cell = cell_px if cell_px is not None else int(min(64, max(36, round(400 / gc))))
    width = max(gc * cell + 100, 70 * kc + 24)
    height = 4.45 * cell + 60 + 26 * text_lines
    return int(width), int(height)


def _page(anim) -> dict:
    values = anim.scene.values
    data = page_data(anim.spec, view="1d", theme=anim.scene.options.theme, durations=anim.durations, alt=anim.alt)
    data.update(oned_fields(anim.spec, values, anim.scene.flip))
    return data


VIEW = View(
    name="1d",
    summary="a 1-D convolution along one row of numbers, each sum written out",
    scenes={"conv": _conv},
    options=("cell_px", "width", "labels", "values", "seed", "flip"),
    check=_check,
    limits={"cells": MAX_CELLS, "taps": MAX_TAPS},
    size=_size,
    page=_page,
    bare_ndim=1,
)
