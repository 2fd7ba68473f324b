"""The ``matrix`` view: the convolution as a matrix product, one matrix row per output cell, beside the
step on the grids (`convanim.scene.matrix`)."""

from __future__ import annotations

import math

from ..html import page_data
from .base import View, rows_cols, values_of

__all__ = ["VIEW"]

MAX_CELLS = 100  # input and output cells (matrix columns and rows); `convanim.scene.matrix.MAX_CELLS`


def _conv(spec, options, opts):
    from ..scene.matrix import MatrixScene

    return MatrixScene(spec, options, values=values_of(spec, opts))


def _check(spec, opts) -> None:
    for name, shape in (("input", spec.input_size), ("output", spec.output_shape)):
        n = math.prod(shape)
        if n > MAX_CELLS:
            raise ValueError(
                f"the matrix view draws at most {MAX_CELLS} {name} cells, "
                f"got {name} {'x'.join(map(str, shape))} = {n:,}"
            )


def _size(spec, opts) -> tuple[int, int]:
    """Columns are input cells, rows output cells, beside or above the 2-D step."""
    cell_px = opts["cell_px"]
    text_lines = int(bool(opts["labels"])) * 2 + int(bool(opts["caption"])) * spec.ndim
    _, gc = rows_cols(spec.grid_shape)
    _, kc = rows_cols(spec.kernel_size)
    _, ocol = rows_cols(spec.output_shape)
    cols, rows = math.prod(spec.input_size), math.prod(spec.output_shape)
    cw = cell_px or min(max(950 // cols, 10), 44)
    rh = cell_px or min(max(min(cw, 720 // rows), 10), 34)
    panel = (cell_px or min(max(240 // max(spec.grid_shape), 20), 34)) * (gc + kc + ocol + 4)
    width = 64 + cols * cw + cw + 34 + panel // 2
    height = 60 + rows * rh + panel // 2 + 40 * (1 + text_lines)
    return int(max(width, 600)), int(height)


def _page(anim) -> dict:
    """The values view's page (grids, kernel, output, numbers or symbols) under the matrix: ``product`` is the
    scene's own `conv_matrix` index (kernel index per entry, -1 for zero), rows output cells, columns input cells."""
    data = page_data(anim.spec, view="values", theme=anim.scene.options.theme,
                     values=anim.scene.values, durations=anim.durations, alt=anim.alt)
    index = anim.scene.index
    data["product"] = {"rows": int(index.shape[0]), "cols": int(index.shape[1]),
                      "index": [int(v) for v in index.reshape(-1)]}
    return data


VIEW = View(
    name="matrix",
    summary="the convolution as a matrix product, one row per output cell",
    scenes={"conv": _conv},
    options=("cell_px", "width", "labels", "values", "seed"),
    check=_check,
    limits={"cells": MAX_CELLS},
    size=_size,
    page=_page,
)
