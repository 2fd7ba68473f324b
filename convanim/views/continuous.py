"""The ``continuous`` view: f * g of a box and a half disc of radius r, the curve drawn as g slides
(`convanim.scene.continuous`). It draws no spec; its page steps through the same frames
(`convanim.html.continuous`)."""

from __future__ import annotations

from ..html.continuous import continuous_page_data
from .base import View

__all__ = ["VIEW"]

FRAMES = 60
SIZE = (500, 404)  # with the caption's row
GROWTH = 0.51  # more height per pixel of width: the axes grow, the text rows do not
RADIUS = (0.1, 10.0)  # the half disc's radius against the unit box


def _scene(spec, options, opts):
    from ..scene.continuous import ContinuousScene

    return ContinuousScene(options, radius=opts["radius"])


def _page(anim) -> dict:
    return continuous_page_data(anim.scene, theme=anim.scene.options.theme, durations=anim.durations, alt=anim.alt)


def _check(spec, opts) -> None:
    low, high = RADIUS
    radius = opts["radius"]
    if not low <= radius <= high:
        raise ValueError(
            f"the continuous view draws a half disc of radius {low:g} to {high:g} against the unit box "
            f"(beyond, one of them is too small to see), got radius {radius:g}"
        )


def _size(spec, opts) -> tuple[int, int]:
    """About the frame's size: its axes grow with ``width``, its text rows do not."""
    width = opts.get("width") or SIZE[0]
    return width, round(SIZE[1] + GROWTH * (width - SIZE[0]))


VIEW = View(
    name="continuous",
    summary="the convolution of two functions, f * g, drawn as g slides",
    scenes={"none": _scene},
    options=("radius", "width"),
    check=_check,
    limits={"radius": RADIUS},
    frames=lambda spec: FRAMES,
    size=_size,
    fits_cells=False,
    page=_page,
    page_kinds=("none",),
)
