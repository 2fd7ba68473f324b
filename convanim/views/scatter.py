"""The ``scatter`` view: a transposed convolution as PyTorch computes it, each input cell scattering the
kernel times its value into the output (`convanim.scene.scatter`), one frame per input cell.

`check` and `scatter_size` are shared with the ``both`` and ``overlap`` views, which draw the same
transposed convolutions.
"""

from __future__ import annotations

import math

from ..html.scatter import scatter_page_data
from .base import View, rows_cols, values_of

__all__ = ["VIEW", "check", "scatter_size"]


def _conv(spec, options, opts):
    from ..scene.scatter import ScatterScene

    return ScatterScene(spec, options, values=values_of(spec, opts))


def check_for(view: str):
    """The readability check of a transposed-convolution view: `convanim.scatter.check_drawable`."""
    def check(spec, opts) -> None:
        from ..scatter import check_drawable  # numpy: imported when a transposed view is asked for

        check_drawable(spec, view)

    return check


check = check_for("scatter")


def scatter_size(spec, cell_px, both: bool = False) -> tuple[int, int]:
    """Frame size of the scatter and both views: their grids plus room for the text (an upper bound)."""
    (gr, gc), (orow, ocol) = rows_cols(spec.grid_shape), rows_cols(spec.output_shape)
    kr, kc = rows_cols(spec.kernel_size)
    rr, rc = rows_cols(region(spec))
    ir, ic = rows_cols(spec.input_size)
    cell = cell_px or 56
    width = (ic + kc + rc) * cell + 4 * cell + 600
    height = max(ir, kr, rr) * cell + 3 * cell + 60
    if both:
        width = max(width, (gc + kc + ocol) * cell + 4 * cell + 600)
        height += max(gr, kr, orow) * cell + 3 * cell + 60
    return int(width), int(height)


def region(spec) -> list[int]:
    """Cells of the scattered region per axis (`convanim.scatter.region_shape`, without numpy)."""
    return [(i - 1) * s + d * (k - 1) + 1 + a for i, k, s, d, a in zip(
        spec.input_size, spec.kernel_size, spec.stride, spec.dilation, spec.output_padding)]


def _page(anim) -> dict:
    return scatter_page_data(anim.spec, anim.scene.row, theme=anim.scene.options.theme, durations=anim.durations,
                             alt=anim.alt)


VIEW = View(
    name="scatter",
    summary="a transposed convolution as PyTorch computes it: each input cell scatters the kernel",
    scenes={"conv": _conv},
    options=("cell_px", "width", "values", "seed"),
    check=check,
    frames=lambda spec: math.prod(spec.input_size),  # one frame per input cell
    size=lambda spec, opts: scatter_size(spec, opts["cell_px"]),
    page=_page,
)
