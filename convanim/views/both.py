"""The ``both`` view: the scatter view of a transposed convolution above its zero-insertion view, the same
output cell lit in both (`convanim.scene.both`), one frame per input cell."""

from __future__ import annotations

import math

from ..html import grid_data
from ..html.scatter import both_page_data
from .base import View, values_of
from .scatter import check_for, scatter_size

__all__ = ["VIEW"]


def _conv(spec, options, opts):
    from ..scene.both import BothScene

    return BothScene(spec, options, values=values_of(spec, opts))


def _page(anim) -> dict:
    grid = grid_data(anim.spec)
    grid.pop("scheduled")
    return both_page_data(anim.spec, anim.scene, grid, theme=anim.scene.options.theme, durations=anim.durations,
                          alt=anim.alt)


VIEW = View(
    name="both",
    summary="the scatter view beside the zero-insertion view of the same transposed convolution",
    scenes={"conv": _conv},
    options=("cell_px", "width", "values", "seed"),
    check=check_for("both"),
    frames=lambda spec: math.prod(spec.input_size),  # one frame per input cell
    size=lambda spec, opts: scatter_size(spec, opts["cell_px"], both=True),
    page=_page,
)
