"""What the fast frame path must keep: every frame equals a full matplotlib render of that step.

`Scene.frame` blits (cached background and revealed layer, moving collections
drawn in one renderer call, a word-wise RGB copy); `Scene.save` draws the whole
figure the ordinary way. Comparing the two, pixel for pixel, in any frame order
and around saves, checks the shortcuts without restating the drawing.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from PIL import Image

from convanim import ConvSpec, schedule
from convanim.scene.base import SceneOptions, _rgb, boxes_path
from convanim.scene.classic import ClassicScene
from convanim.scene.flat import FlatScene, _stroke_boxes
from convanim.themes import THEMES, hex_to_rgb

SCENES = {"flat": FlatScene, "classic": ClassicScene}
SPECS = {
    "strides": ConvSpec(5, 3, stride=2, padding=1),
    "dilated": ConvSpec(7, 3, dilation=2),
    "unread": ConvSpec(6, 3, stride=2),
    "transposed": ConvSpec(2, 3, stride=2, transposed=True),
    "non_square": ConvSpec((4, 6), (2, 3), stride=(1, 2), padding=(1, 0)),
    "one_d": ConvSpec((7,), 3, stride=2, padding=1),
}


def saved(scene, k: int) -> np.ndarray:
    """Step ``k`` drawn by savefig: every artist drawn normally, no cached pixels."""
    buf = io.BytesIO()
    scene.save(k, buf, "png")
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


# -- the RGBA -> RGB copy ---------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (3, 5), (37, 41), (300, 131)])
def test_rgb_copy_drops_alpha_exactly(shape):
    rgba = np.random.default_rng(sum(shape)).integers(0, 256, (*shape, 4), dtype=np.uint8)
    rgb = _rgb(rgba)
    assert rgb.shape == (*shape, 3) and rgb.dtype == np.uint8 and rgb.flags.c_contiguous
    assert np.array_equal(rgb, rgba[..., :3])
    rgba[...] = 0  # a copy, not a view: the canvas reuses its buffer
    assert rgb.any()


# -- frames against full renders ----------------------------------------------------------


@pytest.mark.parametrize("layout", sorted(SCENES))
@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_frame_equals_its_full_render_in_any_order(layout, name):
    scene = SCENES[layout](SPECS[name])
    n = len(scene)
    order = np.random.default_rng(n).permutation(n)  # random access, not only forward
    frames = {int(k): scene.frame(int(k)) for k in order}
    for k in range(n):
        assert np.array_equal(frames[k], saved(scene, k)), f"{layout} {name} step {k}"


@pytest.mark.parametrize("layout", sorted(SCENES))
@pytest.mark.parametrize(
    "options",
    [
        SceneOptions(theme=THEMES["dark"], labels=True),
        SceneOptions(theme=THEMES["colorblind"], caption=True, cell_px=14),
        SceneOptions(labels=True, caption=True, cell_px=62),
    ],
    ids=["dark-labels", "colorblind-caption-small", "both-large"],
)
def test_frames_equal_full_renders_with_options(layout, options):
    spec = ConvSpec(4, 3, stride=1, padding=1)
    scene = SCENES[layout](spec, options)
    n = len(scene)
    for k in (n - 1, 0, n // 2, 1):
        assert np.array_equal(scene.frame(k), saved(scene, k)), f"{layout} step {k}"


@pytest.mark.parametrize("layout", sorted(SCENES))
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_saving_between_frames_leaves_them_alone(layout, fmt):
    scene = SCENES[layout](SPECS["strides"])
    before = [scene.frame(k) for k in range(len(scene))]
    scene.save(7, io.BytesIO(), fmt)
    if fmt == "pdf":
        scene.save_pdf_pages(io.BytesIO())
    for k in (3, 0, 8, 5):
        assert np.array_equal(scene.frame(k), before[k]), f"{layout} step {k} after {fmt}"


@pytest.mark.parametrize("layout", sorted(SCENES))
def test_kept_frames_are_independent_copies(layout):
    scene = SCENES[layout](SPECS["strides"])
    frames = list(scene.frames())
    # The kernel moves every step, so no two kept frames are the same picture.
    for a in range(len(frames)):
        for b in range(a + 1, len(frames)):
            assert not np.array_equal(frames[a], frames[b]), (a, b)
    frames[0][...] = 0  # a kept frame is the caller's: changing it changes no later frame
    assert np.array_equal(scene.frame(0), saved(scene, 0))


def test_flat_written_outputs_follow_the_step_not_the_previous_frame():
    spec = SPECS["strides"]
    scene = FlatScene(spec)
    theme, steps = scene.theme, schedule(spec)
    scene.frame(len(scene) - 1)  # every output but the last written
    for k in (0, 4, 2):
        frame = scene.frame(k)
        written = {s.out for s in steps[:k]}
        for cell in np.ndindex(*spec.output_shape):
            x, y = scene.cell_center("output", cell)
            if cell == steps[k].out:
                want = theme.over(theme.output)
            else:
                want = theme.output if cell in written else theme.background
            assert tuple(frame[y, x]) == hex_to_rgb(want), (k, cell)


@st.composite
def small_specs(draw):
    ndim = draw(st.sampled_from([1, 2]))
    sizes = st.integers(1, 3)
    transposed = draw(st.booleans())
    fields = dict(
        input_size=tuple(draw(st.integers(1, 5)) for _ in range(ndim)),
        kernel_size=tuple(draw(sizes) for _ in range(ndim)),
        stride=tuple(draw(sizes) for _ in range(ndim)),
        dilation=tuple(draw(st.integers(1, 2)) for _ in range(ndim)),
        padding=tuple(draw(st.integers(0, 2)) for _ in range(ndim)),
        transposed=transposed,
    )
    if transposed:
        limits = zip(fields["stride"], fields["dilation"], strict=True)
        fields["output_padding"] = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in limits)
    try:
        spec = ConvSpec(**fields)
    except ValueError:  # kernel wider than the padded input, or an empty transposed output
        assume(False)
    return spec, draw(st.sampled_from(sorted(SCENES))), draw(st.integers(8, 48)), draw(st.integers(0, 10**6))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_specs())
def test_any_small_spec_frame_equals_its_full_render(case):
    spec, layout, cell_px, seed = case
    scene = SCENES[layout](spec, SceneOptions(cell_px=cell_px))
    n = len(scene)
    scene.frame((seed // 7) % n)  # some other frame first: nothing may carry over
    k = seed % n
    assert np.array_equal(scene.frame(k), saved(scene, k))


# -- helpers of the flat kernel, by hand ----------------------------------------------------


def test_stroke_boxes_by_hand():
    segments = np.array([[(10, 20), (34, 20)], [(10, 20), (10, 44)]], float)  # horizontal, vertical
    assert _stroke_boxes(segments, 1, projecting=True).tolist() == [[9, 19, 35, 21], [9, 19, 11, 45]]
    assert _stroke_boxes(segments, 2, projecting=False).tolist() == [[10, 18, 34, 22], [8, 20, 12, 44]]


def test_boxes_path_fills_boxes_less_holes():
    fig = Figure(figsize=(0.6, 0.4), dpi=100)  # 60 x 40 pixels, drawn in pixel coordinates
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 60)
    ax.set_ylim(40, 0)
    boxes = np.array([(2, 2, 22, 22), (12, 12, 32, 32), (40, 2, 58, 20)], float)
    holes = np.array([(6, 6, 18, 18), (44, 6, 54, 16)], float)
    ax.add_collection(PathCollection([boxes_path(boxes, holes)], facecolors="#ff0000", edgecolors="none",
                                     linewidths=0))
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    red, white = (255, 0, 0), (255, 255, 255)
    probes = {
        (3, 3): red,  # first box, outside its hole
        (8, 8): white,  # the hole in the first box
        (15, 15): red,  # the hole, but inside the second (overlapping) box
        (25, 25): red,  # second box alone
        (41, 3): red,  # third box
        (48, 10): white,  # its hole
        (35, 35): white,  # outside everything
    }
    for (x, y), want in probes.items():
        assert tuple(image[y, x]) == want, (x, y)
    assert boxes_path(np.empty((0, 4))).vertices.shape == (1, 2)  # no boxes: a path that draws nothing
