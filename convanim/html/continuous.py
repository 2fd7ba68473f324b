"""The ``continuous`` view's page data: f ⋆ g of the unit box and a half disc, sampled here from the scene.

Everything the page draws is read from the `convanim.scene.continuous.ContinuousScene` that draws the GIF: its
frames' t (``ts``), its axes' limits and ticks, the fine curve it traces (frame k draws it up to ``ends[k]``,
where the GIF's trace stops), the half disc g sampled once (the page draws g(t − τ) as it shifted to t, g being
even), the shaded overlap f(τ)·g(t − τ) per frame and the readout the GIF writes. The page draws them as SVG in
data units; nothing is recomputed in the browser.
"""

from __future__ import annotations

import numpy as np

from .scatter import theme_colours

__all__ = ["continuous_page_data", "readout"]

#: Points of the half disc and of each frame's shaded overlap.
DISC_POINTS, SHADE_POINTS = 97, 41


def _r(values, places: int = 4) -> list:
    return [round(float(v), places) for v in np.asarray(values).reshape(-1)]


def _ticks(axis_ticks, lo: float, hi: float) -> list:
    return [round(float(v), 6) for v in axis_ticks if lo - 1e-9 <= v <= hi + 1e-9]


def readout(t: float, value: float) -> str:
    """The readout frame k writes (the scene's ``t_text``), as plain text with the minus sign it draws.

    >>> readout(-0.25, 0.9191)
    't = −0.25, (f⋆g)(t) = 0.919'
    """
    return f"t = {t:+.2f}, (f⋆g)(t) = {value:.3f}".replace("-", "−")


def continuous_page_data(scene, *, theme="classic", durations=None, alt=None) -> dict:
    """Everything the player reads to step through ``scene``'s frames (a `ContinuousScene`)."""
    from ..scene.continuous import f_box, g_disc  # the scene's module: matplotlib is loaded with it anyway

    r = scene.radius
    x0, x1 = scene.ax_top.get_xlim()
    top = scene.ax_top.get_ylim()[1]
    bottom = scene.ax_bottom.get_ylim()[1]
    disc = np.linspace(-r, r, DISC_POINTS)
    frames = []
    for k, t in enumerate(scene.ts):
        t = float(t)
        lo, hi = max(-0.5, t - r), min(0.5, t + r)
        shade = []
        if hi > lo:  # the overlap: f(τ) g(t − τ) over [lo, hi], closed along the τ axis
            span = np.linspace(lo, hi, SHADE_POINTS)
            prod = f_box(span) * g_disc(t - span, r)
            shade = _r(np.column_stack([np.r_[lo, span, hi], np.r_[0.0, prod, 0.0]]))
        value = float(scene.values[k])
        frames.append({"t": round(t, 6), "v": round(value, 6), "shade": shade, "end": k * scene.sub + 1,
                       "say": readout(t, value)})
    fine = np.column_stack([scene.fine_t, scene.fine_y])
    return {
        "view": "continuous",
        "layout": "curve",
        "steps": [],
        "kinds": "",
        "frames": frames,
        "curve": {
            "radius": r,
            "x": [x0, x1], "top": top, "bottom": bottom,
            "xticks": _ticks(scene.ax_top.get_xticks(), x0, x1),
            "topTicks": _ticks(scene.ax_top.get_yticks(), 0, top),
            "bottomTicks": _ticks(scene.ax_bottom.get_yticks(), 0, bottom),
            "f": [x0, 0, -0.5, 0, -0.5, 1, 0.5, 1, 0.5, 0, x1, 0],
            "g": _r(np.column_stack([disc, g_disc(disc, r)])),
            "fine": _r(fine),
        },
        "durations": list(durations) if durations is not None else [scene.frame_ms] * len(frames),
        "labels": None,
        "heading": f"f ⋆ g: the unit box and a half disc of radius {r:g}",
        "formula": f"(f⋆g)(t) = ∫ f(τ) g(t − τ) dτ, f(τ) = 1 on [−0.5, 0.5], g(τ) = √(r² − τ²) on [−r, r], r = {r:g}",
        "pytorch": None,
        "note": ("No PyTorch call here: f and g are functions of a real number t, and PyTorch convolves arrays; "
                 "the grid, 1d and values views draw those, each with its call to copy."),
        "alt": alt or scene.describe(),
        "transposed": False,
        "values": None,
        "theme": {**theme_colours(theme), "shade": scene.shade_color},
    }
