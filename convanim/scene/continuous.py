"""The seed post's conv-0.gif: a 1-D continuous convolution, f(τ) a box and g(τ) a half-disc.

``f(τ) = 1`` on ``[-0.5, 0.5]`` and ``g(τ) = sqrt(r² - τ²)`` on ``[-r, r]``; the
upper axes show f(τ) and g(t - τ) with their product shaded, the lower axes
trace (f⋆g)(t) up to the current t.

At t = 0 with r = 1 the overlap is ∫_{-1/2}^{1/2} sqrt(1 - u²) du = sqrt(3)/4 + π/6:

>>> round(float(closed_form(1.0, 0.0)), 6), round(math.sqrt(3) / 4 + math.pi / 6, 6)
(0.956611, 0.956611)
>>> bool(abs(convolution_curve(1.0, [0.0])[0] - closed_form(1.0, 0.0)) < 1e-5)
True
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle

from ..themes import blend
from .base import Scene, SceneOptions, style

__all__ = ["ContinuousScene", "f_box", "g_disc", "convolution_curve", "closed_form", "t_range"]

# SceneOptions is frozen: one shared default instance.
DEFAULT_OPTIONS = SceneOptions()

# Points of the τ grid the trapezoid rule integrates over f's support.
_TAU_POINTS = 4001


def _check_radius(radius) -> float:
    if isinstance(radius, bool) or not isinstance(radius, (int, float, np.floating, np.integer)):
        raise ValueError(f"radius must be a number > 0, got {radius!r}")
    if not math.isfinite(radius) or radius <= 0:
        raise ValueError(f"radius must be a finite number > 0, got {radius!r}")
    return float(radius)


def f_box(tau) -> np.ndarray:
    """f(τ): 1 on the closed interval [-0.5, 0.5], 0 elsewhere."""
    tau = np.asarray(tau, dtype=float)
    return np.where(np.abs(tau) <= 0.5, 1.0, 0.0)


def g_disc(tau, radius: float) -> np.ndarray:
    """g(τ) = sqrt(r² - τ²) on [-r, r], 0 elsewhere (the upper half of a circle)."""
    r = _check_radius(radius)
    tau = np.asarray(tau, dtype=float)
    return np.sqrt(np.clip(r * r - tau * tau, 0.0, None))


def convolution_curve(radius: float, ts) -> np.ndarray:
    """(f⋆g)(t) = ∫ f(τ) g(t - τ) dτ at every t of ``ts``, by the trapezoid rule.

    f vanishes outside [-0.5, 0.5], so the integral runs over that interval on
    a fine uniform grid of τ; the integrand is f(τ)·g(t - τ) as drawn.
    """
    r = _check_radius(radius)
    ts = np.atleast_1d(np.asarray(ts, dtype=float))
    tau = np.linspace(-0.5, 0.5, _TAU_POINTS)
    dtau = tau[1] - tau[0]
    weights = np.full(tau.shape, dtau)
    weights[[0, -1]] = dtau / 2
    fv = f_box(tau)
    out = np.empty(ts.shape)
    for start in range(0, ts.size, 256):  # chunks keep the (t, τ) table small
        chunk = ts.ravel()[start : start + 256]
        integrand = fv[None, :] * g_disc(chunk[:, None] - tau[None, :], r)
        out.ravel()[start : start + 256] = integrand @ weights
    return out


def _antiderivative(u, r: float):
    """F(u) = (u·sqrt(r² - u²) + r²·asin(u/r)) / 2, an antiderivative of sqrt(r² - u²)."""
    return (u * np.sqrt(np.clip(r * r - u * u, 0.0, None)) + r * r * np.arcsin(np.clip(u / r, -1, 1))) / 2


def closed_form(radius: float, t):
    """(f⋆g)(t) exactly: ∫ sqrt(r² - u²) du over [t - 0.5, t + 0.5] ∩ [-r, r]."""
    r = _check_radius(radius)
    t = np.asarray(t, dtype=float)
    lo = np.clip(t - 0.5, -r, r)
    hi = np.clip(t + 0.5, -r, r)
    return _antiderivative(hi, r) - _antiderivative(lo, r)


def t_range(radius: float) -> tuple[float, float]:
    """First and last t drawn: the overlap runs over |t| < 0.5 + r, plus a 10 % margin."""
    r = _check_radius(radius)
    half = (0.5 + r) * 1.1
    return -half, half


class ContinuousScene(Scene):
    """f(τ) and the flipped, shifted g(t - τ) sliding along t, the overlap shaded,
    and (f⋆g)(t) traced below.

    ``n_frames`` values of t run evenly over `t_range`, so the first and last
    frames show no overlap. ``options.cell_px`` and ``options.labels`` do not
    apply; ``options.caption`` writes the integral with the radius;
    ``options.width`` is the frame's width (default 500 px, at least
    `MIN_WIDTH_PX`): the axes grow or shrink with it, the text keeps its size.
    """

    frame_ms = 90
    #: the finished curve stays on screen this much longer before the loop restarts
    hold_last_ms = 1500
    width_px = 500
    #: Narrowest frame: the legend's row and the readout, at their readable size, still fit.
    MIN_WIDTH_PX = 400

    def __init__(self, options: SceneOptions = DEFAULT_OPTIONS, *, radius: float = 1.0, n_frames: int = 60):
        # -- basic checks on arguments
        self.radius = _check_radius(radius)
        if isinstance(n_frames, bool) or not isinstance(n_frames, (int, np.integer)) or n_frames < 2:
            raise ValueError(f"n_frames must be an integer >= 2, got {n_frames!r}")
        self.n_frames = int(n_frames)
        self.options = options
        if options.width is not None:
            if options.width < self.MIN_WIDTH_PX:
                raise ValueError(f"width must be at least {self.MIN_WIDTH_PX} px for this figure (its legend and "
                                 f"readout at a readable size), got {options.width}")
            self.width_px = int(options.width)
        grow = self.width_px / ContinuousScene.width_px
        theme = options.theme
        r = self.radius

        t0, t1 = t_range(r)
        self.ts = np.linspace(t0, t1, self.n_frames)
        # A finer t grid for a smooth trace; every frame's t is on it.
        #: points of the fine t grid (``fine_t``, ``fine_y``: the traced curve) per frame step; the page reads them
        self.sub = 8
        self.fine_t = np.linspace(t0, t1, (self.n_frames - 1) * self.sub + 1)
        self.fine_y = convolution_curve(r, self.fine_t)
        self.values = self.fine_y[:: self.sub]

        self.f_color = theme.input
        self.g_color = theme.output
        # a light tint of g's colour: the product is g(t - τ) cut to f's support
        self.shade_color = blend(theme.background, theme.output, 0.35)
        self.curve_color = theme.line
        self.dot_color = theme.accent

        # -- layout in pixels, top down. The upper axes have equal aspect (g is a semicircle, f a square):
        # as wide as the figure allows, or narrower when that would make them too tall; the lower axes
        # span the same x range, so the cursor at t lines up in both. The readout sits between the
        # axes, above the lower one, where the cursor (drawn inside the axes) never crosses it.
        x_max = t1 + r + 0.05 * (0.5 + r)
        y_top = max(1.0, r) * 1.3
        left_px, room_w, most_h = 60, self.width_px - 80, 170 * grow
        top_h = min(most_h, room_w * y_top / (2 * x_max))
        axes_w = top_h * 2 * x_max / y_top
        left_px += (room_w - axes_w) / 2
        y = 8 + (26 if options.caption else 0)
        legend_y = y + 12
        y += 30
        top_box = (y, top_h)
        y += top_h + 36
        readout_y = y + 11
        y += 22
        bottom_h = round(136 * grow)
        bottom_box = (y, bottom_h)
        height = int(round(y + bottom_h + 46))
        self.height_px = height

        def axes_rect(box):
            top, h = box
            return (left_px / self.width_px, 1 - (top + h) / height, axes_w / self.width_px, h / height)

        with style():
            super().__init__(self.width_px, height, theme.background)
            fig = self.fig
            self.ax_top = fig.add_axes(axes_rect(top_box))
            self.ax_bottom = fig.add_axes(axes_rect(bottom_box))
            # τ axis and t axis share limits, so the marker at t lines up in both.
            for ax in (self.ax_top, self.ax_bottom):
                ax.set_xlim(-x_max, x_max)
                ax.set_facecolor(theme.background)
                for side in ("top", "right"):
                    ax.spines[side].set_visible(False)
                for side in ("left", "bottom"):
                    ax.spines[side].set_color(theme.line)
                ax.tick_params(colors=theme.text, labelsize=8, length=3)
            self.ax_top.set_ylim(0, y_top)
            y_max = float(self.fine_y.max())
            self.ax_bottom.set_ylim(0, y_max * 1.25)
            self.ax_top.set_xlabel(r"$\tau$", color=theme.text, fontsize=11, labelpad=1)
            self.ax_bottom.set_xlabel(r"$t$", color=theme.text, fontsize=11, labelpad=1)
            self.ax_bottom.set_ylabel(r"$(f\star g)(t)$", color=theme.text, fontsize=10)
            legend_y = 1 - legend_y / height

            # -- static: the legend, one row above the upper axes (g sweeps the whole axes)
            legend = [
                (r"$f(\tau)$", self.f_color, "line"),
                (r"$g(t-\tau)$", self.g_color, "line"),
                (r"$f(\tau)\,g(t-\tau)$", self.shade_color, "patch"),
            ]
            x = left_px / self.width_px
            for text, color, kind in legend:
                if kind == "patch":
                    fig.add_artist(_rect((x, legend_y - 0.015), 0.04, 0.03, color, fig.transFigure))
                else:
                    fig.add_artist(Line2D([x, x + 0.04], [legend_y, legend_y], color=color, lw=2,
                                          transform=fig.transFigure))
                label = fig.text(x + 0.05, legend_y, text, color=theme.text, fontsize=10, va="center",
                                 ha="left")
                x += 0.05 + _text_width(fig, label) / self.width_px + 0.06
            if options.caption:
                fig.text(0.5, 0.985, rf"$(f\star g)(t)=\int f(\tau)\,g(t-\tau)\,d\tau,\quad r={r:g}$",
                         ha="center", va="top", color=theme.text, fontsize=11)

            # -- moving
            self.shade = self.moving(
                Polygon(np.zeros((3, 2)), closed=True, facecolor=self.shade_color, edgecolor="none",
                        zorder=2)
            )
            self.ax_top.add_patch(self.shade)
            # f(τ) does not move, but is drawn over the shade (moving artists are drawn last)
            tau = np.array([-x_max, -0.5, -0.5, 0.5, 0.5, x_max])
            (self.f_line,) = self.ax_top.plot(tau, [0, 0, 1, 1, 0, 0], color=self.f_color, lw=2, zorder=3)
            self.moving(self.f_line)
            (self.g_line,) = self.ax_top.plot([], [], color=self.g_color, lw=2, zorder=4)
            self.moving(self.g_line)
            self.top_marker = self.moving(
                self.ax_top.axvline(0, color=theme.line, lw=0.8, ls=(0, (3, 2)), zorder=1)
            )
            self.bottom_marker = self.moving(
                self.ax_bottom.axvline(0, color=theme.line, lw=0.8, ls=(0, (3, 2)), zorder=1)
            )
            (self.trace,) = self.ax_bottom.plot([], [], color=self.curve_color, lw=1.8, zorder=3)
            self.moving(self.trace)
            # not clipped by the axes: the dot sits whole on the t axis where (f⋆g)(t) = 0
            (self.dot,) = self.ax_bottom.plot([], [], "o", color=self.dot_color, ms=6, zorder=4, clip_on=False)
            self.moving(self.dot)
            self.t_text = self.moving(
                fig.text(left_px / self.width_px, 1 - readout_y / height, "", ha="left", va="center_baseline",
                         color=theme.text, fontsize=9)
            )

    def __len__(self) -> int:
        return self.n_frames

    def describe(self) -> str:
        return (
            "continuous convolution of a unit box on [-0.5, 0.5] with a half-disc of radius "
            f"{self.radius:g}: the flipped half-disc slides along t, the overlap is shaded "
            "and (f⋆g)(t) is traced below"
        )

    def update(self, k: int) -> None:
        r = self.radius
        t = float(self.ts[k])
        # g(t - τ) is nonzero for τ in [t - r, t + r]
        tau = np.linspace(t - r, t + r, 241)
        self.g_line.set_data(tau, g_disc(t - tau, r))
        lo, hi = max(-0.5, t - r), min(0.5, t + r)
        if hi > lo:
            span = np.linspace(lo, hi, 121)
            prod = f_box(span) * g_disc(t - span, r)
            xy = np.column_stack([np.r_[lo, span, hi], np.r_[0.0, prod, 0.0]])
            self.shade.set_xy(xy)
            self.shade.set_visible(True)
        else:
            self.shade.set_visible(False)
        self.top_marker.set_xdata([t, t])
        self.bottom_marker.set_xdata([t, t])
        end = k * self.sub + 1
        self.trace.set_data(self.fine_t[:end], self.fine_y[:end])
        self.dot.set_data([t], [self.values[k]])
        self.t_text.set_text(rf"$t={t:+.2f},\ (f\star g)(t)={self.values[k]:.3f}$")


def _text_width(fig, text) -> float:
    """Width of a drawn text in pixels."""
    return text.get_window_extent(fig.canvas.get_renderer()).width


def _rect(xy, w, h, color, transform):
    return Rectangle(xy, w, h, facecolor=color, edgecolor="none", transform=transform, clip_on=False)
