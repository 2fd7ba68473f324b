"""Frames as patches (issue 18): a scene redraws and copies out only what changed, the encoder indexes only that.

`Scene.patches` must give the same frames as `Scene.frame` (rebuilt by pasting
each box over the previous frame), whatever else draws on the scene between
two patches; the encoders must write the same bytes from patches as from whole
frames, whether a box is tight or loose.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import convanim
from convanim import ConvSpec
from convanim.encode import Patched, encode_gif_bytes, write_animation
from convanim.encode.palette import WHOLE, frame_patches
from convanim.scene.classic import DEFAULT_CELL_PX
from convanim.scene.measure import DEFAULT_MAX_HEIGHT, DEFAULT_MAX_WIDTH

CASES = {
    "classic": dict(spec=ConvSpec(5, 3, stride=2, padding=1), labels=True, caption=True),
    "classic dilated": dict(spec=ConvSpec(7, 3, dilation=2)),
    "classic 1-D": dict(spec=ConvSpec((7,), 3, stride=2, padding=1)),
    "flat transposed": dict(spec=ConvSpec(2, 3, stride=2, transposed=True), layout="flat"),
    "flat non-square": dict(spec=ConvSpec((4, 6), (2, 3), stride=(1, 2), padding=(1, 0)), layout="flat"),
    "values": dict(spec=ConvSpec(5, 3, stride=2, padding=1), view="values"),
    "matrix": dict(spec=ConvSpec(4, 3), view="matrix"),
    "1d": dict(spec=ConvSpec((7,), 3, stride=2, padding=1), view="1d"),
    "scatter": dict(spec=ConvSpec(2, 3, stride=2, transposed=True), view="scatter"),
    "both": dict(spec=ConvSpec(2, 3, stride=2, transposed=True), view="both"),
    "channels": dict(spec=ConvSpec(4, 3, in_channels=2, out_channels=2, groups=2, bias=True)),
    "channel values": dict(spec=ConvSpec(4, 3, in_channels=2, out_channels=2), view="values", values="random"),
    "continuous": dict(view="continuous"),
}


def rebuilt(patches):
    """The whole frames of a patch stream: each box pasted over the frame before."""
    frame = None
    for patch in patches:
        if patch is not None:
            box, pixels = patch
            if frame is None:
                assert box == WHOLE
                frame = pixels.copy()
            else:
                frame[box] = pixels
        yield frame.copy()


@pytest.mark.parametrize("name", sorted(CASES))
def test_patches_rebuild_every_frame(name):
    scene = convanim.animate(**CASES[name]).scene
    assert scene.patched()
    frames = list(scene.frames())
    assert len(frames) > 1
    for k, (frame, again) in enumerate(zip(frames, rebuilt(scene.patches()), strict=True)):
        assert np.array_equal(frame, again), f"frame {k}"


@pytest.mark.parametrize("name", ["classic", "flat transposed", "values", "channels"])
def test_patches_survive_other_drawing_on_the_scene(name):
    """Another pass, a random frame or a saved file between two patches: the canvas is not the pass's any more."""
    scene = convanim.animate(**CASES[name]).scene
    frames = list(scene.frames())
    n = len(frames)
    other = scene.patches()
    next(other)

    def interfere(k):
        if k % 3 == 0:
            scene.frame((5 * k + 2) % n)
        elif k % 3 == 1:
            scene.save((k + 1) % n, io.BytesIO(), "png")
        else:
            next(other, None)

    def patches():
        for k, patch in enumerate(scene.patches()):
            yield patch
            interfere(k)

    for k, (frame, again) in enumerate(zip(frames, rebuilt(patches()), strict=True)):
        assert np.array_equal(frame, again), f"frame {k}"


def test_large_classic_patches_are_a_small_part_of_the_frame():
    scene = convanim.animate(input_size=16, kernel_size=3).scene
    width, height = scene.size
    areas = []
    for patch in list(scene.patches())[1:]:
        rows, cols = patch[0]
        areas.append((rows.stop - rows.start) * (cols.stop - cols.start))
    assert np.median(areas) < width * height / 4  # a kernel step (a new row spans more)


def frames_of(anim):
    return list(anim.scene.frames())


@pytest.mark.parametrize("name", ["classic", "values", "continuous"])
@pytest.mark.parametrize("ext", [".gif", ".png"])
def test_encoders_write_the_same_bytes_from_patches_as_from_frames(tmp_path, name, ext):
    anim = convanim.animate(**CASES[name])
    frames = frames_of(anim)
    options = anim.encoder_options if ext == ".gif" else {}
    write_animation(tmp_path / f"a{ext}", frames, anim.durations, **options)
    write_animation(tmp_path / f"b{ext}", anim._frames(), anim.durations, **options)
    assert (tmp_path / f"a{ext}").read_bytes() == (tmp_path / f"b{ext}").read_bytes()


def loose(frames, grow):
    """Patches of ``frames`` whose boxes are ``grow`` pixels wider than what changed, and never None."""
    height, width = frames[0].shape[:2]
    previous = None
    for frame, patch in zip(frames, frame_patches(frames), strict=True):
        if previous is None:
            yield patch
        else:
            box = patch[0] if patch is not None else (slice(0, 1), slice(0, 1))
            rows = slice(max(0, box[0].start - grow), min(height, box[0].stop + grow))
            cols = slice(max(0, box[1].start - grow), min(width, box[1].stop + grow))
            yield (rows, cols), frame[rows, cols].copy()
        previous = frame


@pytest.mark.parametrize("grow", [0, 3, 1000])
@pytest.mark.parametrize("options", [{}, {"palette": [(0, 0, 0)]}])
def test_loose_boxes_give_the_same_gif(grow, options):
    rng = np.random.default_rng(grow)
    base = (rng.integers(0, 3, (30, 40, 3)) * 120).astype(np.uint8)
    frames = []
    for k in range(6):
        frame = base.copy()
        if k != 3:  # frame 3 repeats frame 2
            frame[k : k + 4, 2 * k : 2 * k + 5] = rng.integers(0, 256, 3)
        else:
            frame = frames[-1].copy()
        frames.append(frame)
    expected = encode_gif_bytes(frames, 50, **options)
    source = Patched(lambda: iter(frames), lambda: loose(frames, grow))
    assert encode_gif_bytes(source, 50, **options) == expected


def test_bad_patches_are_refused():
    frames = [np.zeros((6, 8, 3), np.uint8) for _ in range(3)]

    def source(patches):
        return Patched(lambda: iter(frames), lambda: iter(patches))

    whole = (WHOLE, frames[0])
    with pytest.raises(ValueError, match="first patch must be the whole frame"):
        encode_gif_bytes(source([((slice(0, 2), slice(0, 2)), frames[0][:2, :2]), None, None]), 50)
    with pytest.raises(ValueError, match=r"patch 1 must be a uint8 array of shape \(2, 3, 3\)"):
        encode_gif_bytes(source([whole, ((slice(0, 2), slice(0, 3)), frames[0][:2, :2]), None]), 50)
    with pytest.raises(ValueError, match="patch 2 has an empty or strided box"):
        encode_gif_bytes(source([whole, None, ((slice(0, 4, 2), slice(0, 3)), frames[0][:2, :3])]), 50)
    with pytest.raises(ValueError, match="got 3 durations for 2 frames"):
        encode_gif_bytes(source([whole, None]), [50, 50, 50])


def test_default_frames_fit_a_page_and_width_is_kept():
    big = convanim.animate(input_size=32, kernel_size=3)
    width, height = big.size
    assert width <= DEFAULT_MAX_WIDTH and height <= DEFAULT_MAX_HEIGHT
    # as large as fits: one pixel more per cell would not
    larger = convanim.animate(input_size=32, kernel_size=3, cell_px=int(big.scene.cell_px) + 1)
    assert larger.size[0] > DEFAULT_MAX_WIDTH or larger.size[1] > DEFAULT_MAX_HEIGHT
    # an asked-for width is the width, however tall the frame
    shown = convanim.animate(input_size=32, kernel_size=3, width=900)
    assert 850 <= shown.size[0] <= 900 and shown.size[1] > DEFAULT_MAX_HEIGHT
    # a small input keeps the reference's cells
    assert convanim.animate(input_size=5, kernel_size=3).scene.cell_px == DEFAULT_CELL_PX


def test_moving_box_holds_thick_lines_and_gives_up_where_it_cannot_tell():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.transforms import Affine2D

    from convanim.scene.base import _rgb
    from convanim.scene.dirty import moving_box

    fig = Figure(figsize=(4, 2), dpi=100)
    canvas = FigureCanvasAgg(fig)
    line = fig.add_artist(Line2D([150, 250], [100, 100], linewidth=20, solid_capstyle="projecting",
                                 transform=Affine2D()))
    canvas.draw()
    pixels = _rgb(np.asarray(canvas.buffer_rgba()))
    rows, cols = np.nonzero((pixels != 255).any(axis=2))
    x0, y0, x1, y1 = moving_box([line], canvas.get_renderer(), 400, 200, 100)
    assert x0 <= cols.min() and cols.max() < x1 and y0 <= rows.min() and rows.max() < y1
    assert x0 > 0 and x1 < 400  # not the whole frame

    class Unknown(Line2D):
        def get_window_extent(self, renderer=None):
            from matplotlib.transforms import Bbox

            return Bbox.null()

    unknown = fig.add_artist(Unknown([0, 1], [0, 1]))
    assert moving_box([line, unknown], canvas.get_renderer(), 400, 200, 100) == (0, 0, 400, 200)
