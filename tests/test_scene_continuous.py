"""The continuous view (the seed post's conv-0.gif): numbers, frames and pixels."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convanim.scene.base import SceneOptions
from convanim.scene.continuous import ContinuousScene, closed_form, convolution_curve, t_range
from convanim.themes import THEMES, blend, hex_to_rgb


def rgb(color: str) -> tuple[int, int, int]:
    return hex_to_rgb(color)


def pixel(scene, frame, ax, x, y) -> tuple[int, int, int]:
    """The colour of data point (x, y) of ``ax`` in ``frame``."""
    dx, dy = ax.transData.transform((x, y))
    height = frame.shape[0]
    return tuple(int(v) for v in frame[int(height - dy), int(dx)])


def count(frame, color, ax) -> int:
    """Pixels of ``color`` inside the axes' box."""
    box = ax.bbox
    height = frame.shape[0]
    region = frame[int(height - box.y1) : int(height - box.y0), int(box.x0) : int(box.x1)]
    return int((region == color).all(axis=-1).sum())


# -- the numbers ---------------------------------------------------------------


@pytest.mark.parametrize("radius", [0.2, 0.45, 0.5, 0.8, 1.0, 2.5])
def test_numerical_curve_matches_closed_form(radius):
    ts = np.linspace(-(radius + 0.7), radius + 0.7, 301)
    numeric = convolution_curve(radius, ts)
    exact = closed_form(radius, ts)
    assert numeric.shape == ts.shape
    assert np.max(np.abs(numeric - exact)) < 1e-4


@pytest.mark.parametrize("radius", [0.1, 0.3, 0.5])
def test_small_disc_inside_the_box_gives_the_half_disc_area(radius):
    # r <= 0.5 and |t| <= 0.5 - r: the whole half-disc lies under f = 1, area π r² / 2.
    ts = np.array([0.0, 0.5 - radius])
    area = math.pi * radius**2 / 2
    assert np.allclose(closed_form(radius, ts), area, atol=1e-12)
    assert np.allclose(convolution_curve(radius, ts), area, atol=1e-4)


def test_known_values_by_hand():
    # r = 1, t = 0: ∫_{-1/2}^{1/2} sqrt(1 - u²) du = sqrt(3)/4 + π/6
    assert closed_form(1.0, 0.0) == pytest.approx(math.sqrt(3) / 4 + math.pi / 6, abs=1e-12)
    # r = 2, t = 0: 2·F(1/2) with F(u) = (u sqrt(4 - u²) + 4 asin(u/2)) / 2
    f_half = (0.5 * math.sqrt(3.75) + 4 * math.asin(0.25)) / 2
    assert closed_form(2.0, 0.0) == pytest.approx(2 * f_half, abs=1e-12)
    # the overlap is empty once |t| >= 0.5 + r, and the curve is even in t
    assert closed_form(1.0, 1.5) == 0 and closed_form(1.0, -1.6) == 0
    assert convolution_curve(1.0, [1.5, -1.6, 3.0]).tolist() == [0.0, 0.0, 0.0]
    ts = np.linspace(0, 2, 41)
    assert np.allclose(convolution_curve(0.7, ts), convolution_curve(0.7, -ts), atol=1e-9)


def test_t_range_starts_and_ends_outside_the_overlap():
    for radius in (0.3, 1.0, 2.0):
        t0, t1 = t_range(radius)
        assert t0 < -(0.5 + radius) and t1 > 0.5 + radius
        assert t0 > -(0.5 + radius) * 1.5  # a little margin, not a long wait


# -- arguments -----------------------------------------------------------------


@pytest.mark.parametrize("radius", [0, -1.0, float("nan"), float("inf"), "1", True])
def test_bad_radius(radius):
    with pytest.raises(ValueError, match="radius"):
        ContinuousScene(radius=radius)
    with pytest.raises(ValueError, match="radius"):
        closed_form(radius, 0.0)


@pytest.mark.parametrize("n_frames", [1, 0, -3, 2.5, "60", True])
def test_bad_n_frames(n_frames):
    with pytest.raises(ValueError, match="n_frames"):
        ContinuousScene(n_frames=n_frames)


# -- frames ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def scene():
    # odd frame count: the middle frame is t = 0
    return ContinuousScene(radius=1.0, n_frames=21)


def test_frame_count_and_timing():
    assert len(ContinuousScene()) == 60
    assert len(ContinuousScene(n_frames=2)) == 2
    assert 80 <= ContinuousScene.frame_ms <= 100


def test_frames_keep_one_size(scene):
    shapes = {frame.shape for frame in scene.frames()}
    width, height = scene.size
    assert shapes == {(height, width, 3)}
    assert 450 <= width <= 560


def test_overlap_shade_present_in_the_middle_and_absent_at_the_start(scene):
    theme = THEMES["classic"]
    shade = rgb(blend(theme.background, theme.output, 0.35))
    mid = len(scene) // 2
    assert scene.ts[mid] == pytest.approx(0.0, abs=1e-12)
    # inside f's box, under g(0 - τ) = sqrt(1 - τ²) ≈ 0.97 at τ = -0.25
    probe = (-0.25, 0.4)
    assert pixel(scene, scene.frame(mid), scene.ax_top, *probe) == shade
    first = scene.frame(0)
    assert pixel(scene, first, scene.ax_top, *probe) == rgb(theme.background)
    # inside f's box nothing is shaded before the overlap begins or after it ends
    box = [(x, y) for x in np.linspace(-0.45, 0.45, 10) for y in np.linspace(0.05, 0.95, 10)]
    for k in (0, len(scene) - 1):
        frame = scene.frame(k)
        assert {pixel(scene, frame, scene.ax_top, x, y) for x, y in box} == {rgb(theme.background)}
    # the shade covers an area only while g overlaps f (a lone antialiased pixel of g's edge
    # can take the same colour)
    areas = [count(scene.frame(k), shade, scene.ax_top) for k in range(len(scene))]
    assert areas[0] <= 3 and areas[-1] <= 3
    assert areas[len(scene) // 2] > 2000
    for t, area in zip(scene.ts, areas, strict=True):
        if abs(t) >= 1.5:  # |t| >= 0.5 + r: no overlap
            assert area <= 3
        elif closed_form(1.0, t) > 0.05:  # a visible overlap
            assert area > 50


def test_dot_follows_the_curve(scene):
    theme = THEMES["classic"]
    for k in (3, 10, 15):
        t = scene.ts[k]
        value = closed_form(1.0, t)
        assert pixel(scene, scene.frame(k), scene.ax_bottom, t, value) == rgb(theme.accent)


def test_trace_grows_up_to_the_current_t(scene):
    theme = THEMES["classic"]
    line = np.array(rgb(theme.line))
    t = 0.0
    dx, dy = scene.ax_bottom.transData.transform((t, closed_form(1.0, t)))
    height = scene.size[1]
    rows = slice(int(height - dy) - 3, int(height - dy) + 4)
    col = int(dx)

    def dark_near_curve(frame) -> bool:
        patch = frame[rows, col - 1 : col + 2].astype(int)
        return bool((np.abs(patch - line).sum(axis=-1) < 60).any())

    assert not dark_near_curve(scene.frame(3))  # t = -1.4: the trace has not reached t = 0
    assert dark_near_curve(scene.frame(len(scene) - 1))


def test_same_inputs_same_pixels():
    a = ContinuousScene(radius=0.7, n_frames=7)
    b = ContinuousScene(radius=0.7, n_frames=7)
    # drawn in opposite orders, the two agree frame by frame: nothing of one frame leaks into the next
    forward = [a.frame(k).copy() for k in range(7)]
    backward = [b.frame(k).copy() for k in reversed(range(7))][::-1]
    for k in range(7):
        assert np.array_equal(forward[k], backward[k]), k
    assert not np.array_equal(forward[2], forward[5])  # the frames do differ


def test_other_themes_and_caption_render():
    for name in ("dark", "colorblind"):
        scene = ContinuousScene(SceneOptions(theme=THEMES[name], caption=True), radius=0.4, n_frames=5)
        frame = scene.frame(2)
        assert tuple(frame[2, 2]) == rgb(THEMES[name].background)
        assert "radius 0.4" in scene.describe()


# -- the post's figure as printed: geometry -------------------------------------------


@pytest.mark.parametrize("radius", [0.3, 1.0, 3.0])
def test_upper_axes_have_equal_aspect_so_g_is_a_semicircle(radius):
    scene = ContinuousScene(radius=radius, n_frames=5)
    ax = scene.ax_top
    (x0, y0), (x1, y1) = ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
    assert x1 - x0 == pytest.approx(y1 - y0, rel=1e-9)
    # and the semicircle's drawn height is half its drawn width, in pixels
    frame = scene.frame(2)  # t = 0: g centred on τ = 0
    g = np.array(rgb(THEMES["classic"].output))
    box = ax.bbox  # inside the upper axes only (the legend has a stroke of g's colour too)
    top = frame[int(frame.shape[0] - box.y1) : int(frame.shape[0] - box.y0), int(box.x0) : int(box.x1)]
    ys, xs = np.nonzero(np.abs(top.astype(int) - g).sum(axis=-1) < 40)
    width, height = xs.max() - xs.min(), ys.max() - ys.min()
    assert height == pytest.approx(width / 2, abs=3)


def test_readout_lies_between_the_axes_where_the_cursor_never_goes():
    scene = ContinuousScene(radius=1.0, n_frames=9)
    renderer = scene.fig.canvas.get_renderer()
    for k in range(len(scene)):
        scene.frame(k)
        text = scene.t_text.get_window_extent(renderer)
        assert text.width > 100  # the readout is written
        assert text.y0 > scene.ax_bottom.bbox.y1  # above the lower axes, which hold the cursor
        assert text.y1 < scene.ax_top.bbox.y0  # below the upper axes ...
        top_labels = scene.ax_top.xaxis.label.get_window_extent(renderer)
        assert text.y1 < top_labels.y0  # ... and their τ label


def test_dot_is_whole_on_the_axis():
    scene = ContinuousScene(radius=1.0, n_frames=9)
    frame = scene.frame(0)  # (f⋆g)(t) = 0: the dot's centre is on the t axis
    accent = np.array(rgb(THEMES["classic"].accent))
    below = int(frame.shape[0] - scene.ax_bottom.bbox.y0) + 2  # 2 px below the axis line
    assert (np.abs(frame[below:].astype(int) - accent).sum(axis=-1) < 30).any()


def test_finished_curve_holds_before_the_loop_restarts():
    from convanim import animate

    anim = animate(view="continuous")
    assert anim.durations[-1] >= anim.durations[0] + 1000
    assert animate(view="continuous", hold_last_ms=500).durations[-1] == anim.durations[-1] + 500
