"""The ``overlap`` view: how many kernel taps land on each output cell of a transposed convolution, in one
frame (`convanim.scene.overlap`): the checkerboard of an uneven stride."""

from __future__ import annotations

from ..html.scatter import overlap_page_data
from .base import View, rows_cols, values_of
from .scatter import check_for, region

__all__ = ["VIEW"]


def _conv(spec, options, opts):
    from ..scene.overlap import OverlapScene

    return OverlapScene(spec, options, values=values_of(spec, opts))


def _size(spec, opts) -> tuple[int, int]:
    rr, rc = rows_cols(region(spec))
    cell = opts["cell_px"] or 40
    return int((rc + 2) * cell + 400), int((rr + 3) * cell + 160)


def _page(anim) -> dict:
    return overlap_page_data(anim.spec, anim.scene, theme=anim.scene.options.theme, durations=anim.durations,
                             alt=anim.alt)


VIEW = View(
    name="overlap",
    summary="how many kernel taps land on each output cell of a transposed convolution, in one frame",
    scenes={"conv": _conv},
    options=("cell_px", "width",),
    check=check_for("overlap"),
    frames=lambda spec: 1,
    size=_size,
    page=_page,
)
