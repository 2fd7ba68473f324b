"""The flat layout: pixel probes at cell centres, frame counts, layout, text room, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convanim import ConvSpec, cell_kind, schedule, unread_cells
from convanim.scene.base import SceneOptions
from convanim.scene.flat import FlatScene
from convanim.themes import THEMES, hex_to_rgb

PADDING_STRIDES = ConvSpec(5, 3, stride=2, padding=1)
DILATED = ConvSpec(7, 3, dilation=2)
TRANSPOSED = ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1)
UNREAD = ConvSpec(6, 3, stride=2)
ONE_D = ConvSpec((7,), 3, stride=2, padding=1)


def rgb(color: str) -> tuple[int, int, int]:
    return hex_to_rgb(color)


def pixel(frame: np.ndarray, xy) -> tuple[int, int, int]:
    x, y = xy
    return tuple(int(v) for v in frame[y, x])


def unread_grid_cells(spec: ConvSpec) -> set:
    """Grid cells of the input cells no kernel position reads (input index -> drawn cell)."""
    return {
        tuple(ax.lo + i * ax.step for ax, i in zip(spec.axes, idx, strict=True))
        for idx in unread_cells(spec)
    }


def expected_input(spec, theme, cell, taps, unread) -> tuple[int, int, int]:
    if cell in unread:
        base = theme.unread
    elif cell_kind(spec, cell) == "input":
        base = theme.input
    else:
        base = theme.padding
    return rgb(theme.over(base) if cell in taps else base)


def check_frame(scene: FlatScene, spec: ConvSpec, k: int) -> None:
    """Every input and output cell centre of frame ``k`` has the colour it should."""
    theme = scene.theme
    frame = scene.frame(k)
    steps = schedule(spec)
    taps = {t.cell for t in steps[k].taps}
    unread = unread_grid_cells(spec)
    overlay = {rgb(theme.over(c)) for c in (theme.input, theme.padding, theme.unread)}
    for cell in np.ndindex(*spec.grid_shape):
        got = pixel(frame, scene.cell_center("input", cell))
        want = expected_input(spec, theme, cell, taps, unread)
        assert got == want, f"frame {k}, input cell {cell}: {got} != {want}"
        assert (got in overlay) == (cell in taps), f"frame {k}, input cell {cell}"
    written = {s.out for s in steps[:k]}
    for cell in np.ndindex(*spec.output_shape):
        got = pixel(frame, scene.cell_center("output", cell))
        if cell == steps[k].out:
            want = rgb(theme.over(theme.output))
        elif cell in written:
            want = rgb(theme.output)
        else:
            want = rgb(theme.background)
        assert got == want, f"frame {k}, output cell {cell}: {got} != {want}"


# -- frame count and size ---------------------------------------------------------


@pytest.mark.parametrize("spec", [PADDING_STRIDES, DILATED, TRANSPOSED, UNREAD, ONE_D])
def test_one_frame_per_step(spec):
    scene = FlatScene(spec)
    assert len(scene) == len(schedule(spec)) == math.prod(spec.output_shape)
    frames = list(scene.frames())
    assert len(frames) == len(scene)
    w, h = scene.size
    assert w % 2 == 0 and h % 2 == 0
    assert all(f.shape == (h, w, 3) and f.dtype == np.uint8 for f in frames)


# -- pixel probes ---------------------------------------------------------------------


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize(
    "spec", [PADDING_STRIDES, DILATED, TRANSPOSED], ids=["strides", "dilated", "transposed"]
)
def test_taps_shaded_exactly(spec, theme):
    scene = FlatScene(spec, SceneOptions(theme=THEMES[theme]))
    n = len(scene)
    for k in sorted({0, 1, n // 2, n - 2, n - 1}):
        check_frame(scene, spec, k)


@st.composite
def small_specs(draw):
    ndim = draw(st.sampled_from([1, 2]))
    sizes = st.integers(1, 3)
    transposed = draw(st.booleans())
    spec = dict(
        input_size=tuple(draw(st.integers(1, 6)) for _ in range(ndim)),
        kernel_size=tuple(draw(sizes) for _ in range(ndim)),
        stride=tuple(draw(sizes) for _ in range(ndim)),
        dilation=tuple(draw(st.integers(1, 2)) for _ in range(ndim)),
        padding=tuple(draw(st.integers(0, 2)) for _ in range(ndim)),
        transposed=transposed,
    )
    if transposed:
        spec["output_padding"] = tuple(
            draw(st.integers(0, max(s, d) - 1)) for s, d in zip(spec["stride"], spec["dilation"], strict=True)
        )
    try:
        conv = ConvSpec(**spec)
    except ValueError:  # kernel wider than the padded input, or an empty transposed output
        assume(False)
    return conv, draw(st.integers(0, 10**6))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(small_specs())
def test_probes_hold_for_any_small_spec(case):
    spec, seed = case
    scene = FlatScene(spec, SceneOptions(cell_px=16))
    check_frame(scene, spec, seed % len(scene))


def test_probes_hold_with_labels_and_caption():
    scene = FlatScene(TRANSPOSED, SceneOptions(labels=True, caption=True))
    for k in (0, 7, 35):
        check_frame(scene, TRANSPOSED, k)


def test_dilated_frame_by_hand():
    # Step 4 of a 3x3 kernel with dilation 2 on 7x7 writes output (1, 1) from rows/cols 1, 3, 5.
    theme = THEMES["classic"]
    scene = FlatScene(DILATED)
    frame = scene.frame(4)
    taps = {(r, c) for r in (1, 3, 5) for c in (1, 3, 5)}
    for cell in np.ndindex(7, 7):
        want = theme.over(theme.input) if cell in taps else theme.input
        assert pixel(frame, scene.cell_center("input", cell)) == rgb(want), cell
    assert pixel(frame, scene.cell_center("output", (1, 1))) == rgb(theme.over(theme.output))
    assert pixel(frame, scene.cell_center("output", (1, 0))) == rgb(theme.output)
    assert pixel(frame, scene.cell_center("output", (1, 2))) == rgb(theme.background)


def test_dilated_footprint_outlined():
    # The footprint's outline runs along its border, also past the cells the kernel skips.
    theme = THEMES["classic"]
    scene = FlatScene(DILATED)
    frame = scene.frame(0)  # footprint rows/cols 0..4
    x, _ = scene.cell_center("input", (0, 1))  # a skipped cell on the footprint's top row
    _, y_top = scene.cell_center("input", (0, 0))
    top_edge = y_top - scene.cell_px // 2
    # The thin grid line covers the 2 px rows top_edge-1..top_edge; the bold outline 2 more inside.
    assert pixel(frame, (x, top_edge + 1)) == rgb(theme.line)
    # ... and not along the same edge of a cell outside the footprint (only the thin grid line).
    x_out, _ = scene.cell_center("input", (0, 6))
    assert pixel(frame, (x_out, top_edge)) == rgb(theme.line)
    assert pixel(frame, (x_out, top_edge + 1)) == rgb(theme.input)


def test_transposed_zero_cells_drawn_as_padding():
    theme = THEMES["classic"]
    scene = FlatScene(TRANSPOSED)
    frame = scene.frame(len(scene) - 1)
    # border 1 (top/left), input cells every 2nd cell, output_padding 1 extra at bottom/right: 8x8.
    assert TRANSPOSED.grid_shape == (8, 8)
    for r, c in [(1, 1), (1, 3), (1, 5), (5, 3), (3, 1)]:
        assert pixel(frame, scene.cell_center("input", (r, c))) == rgb(theme.input)
    for r, c in [(0, 0), (1, 2), (2, 2), (6, 0)]:
        assert pixel(frame, scene.cell_center("input", (r, c))) == rgb(theme.padding)
    # The last step's kernel covers rows/cols 5..7; (7, 7) is output padding under the kernel.
    assert pixel(frame, scene.cell_center("input", (7, 7))) == rgb(theme.over(theme.padding))


def test_unread_cells_marked():
    # stride 2 on 6 cells: windows start at 0 and 2, so input row 5 and column 5 are never read.
    theme = THEMES["classic"]
    scene = FlatScene(UNREAD)
    frame = scene.frame(0)
    half = scene.cell_px // 2
    for cell in np.ndindex(6, 6):
        x, y = scene.cell_center("input", cell)
        inside = range(-half + 3, half - 2)  # clear of the grid lines and the bold footprint outline
        colors = {pixel(frame, (x + dx, y + dy)) for dx in inside for dy in inside}
        if 5 in cell:
            assert pixel(frame, (x, y)) == rgb(theme.unread), cell
            assert rgb(theme.line) in colors, f"unread cell {cell} has no hatch"
        else:
            assert rgb(theme.unread) not in colors, cell
            assert rgb(theme.line) not in colors, cell


def test_written_output_distinct_from_unwritten():
    theme = THEMES["colorblind"]
    scene = FlatScene(PADDING_STRIDES, SceneOptions(theme=theme))
    last = scene.frame(8)
    first = scene.frame(0)
    # Output (2, 1) is written before the last step and not yet at the first.
    assert pixel(last, scene.cell_center("output", (2, 1))) == rgb(theme.output)
    assert pixel(first, scene.cell_center("output", (2, 1))) == rgb(theme.background)


def test_one_d_is_one_row():
    theme = THEMES["classic"]
    scene = FlatScene(ONE_D)
    frame = scene.frame(1)  # output 1 reads cells 2, 3, 4 of the padded 9
    ys = {scene.cell_center("input", (c,))[1] for c in range(9)}
    assert len(ys) == 1
    for c in range(9):
        base = theme.padding if c in (0, 8) else theme.input
        want = theme.over(base) if c in (2, 3, 4) else base
        assert pixel(frame, scene.cell_center("input", (c,))) == rgb(want), c
    assert pixel(frame, scene.cell_center("output", (1,))) == rgb(theme.over(theme.output))


# -- layout ---------------------------------------------------------------------------


def test_cell_center_by_hand():
    # cell 40, margin 20, gap 60: input 7x7 (280 px) at x=20; output 3x3 (120 px) at x=20+280+60=360,
    # centred on the input's middle row (y = 20 + 140 = 160): top at 160 - 60 = 100.
    scene = FlatScene(PADDING_STRIDES)
    assert scene.cell_px == 40
    assert scene.cell_center("input", (0, 0)) == (40, 40)
    assert scene.cell_center("output", (1, 2)) == (20 + 280 + 60 + 2 * 40 + 20, 100 + 40 + 20)


def test_cell_center_matches_drawn_output_cell():
    # Independent of the layout arithmetic: find the shaded output cell in the pixels.
    theme = THEMES["classic"]
    scene = FlatScene(TRANSPOSED, SceneOptions(labels=True))
    k = 13
    frame = scene.frame(k)
    ys, xs = np.nonzero((frame == rgb(theme.over(theme.output))).all(axis=-1))
    centre = ((xs.min() + xs.max() + 1) // 2, (ys.min() + ys.max() + 1) // 2)
    assert centre == scene.cell_center("output", schedule(TRANSPOSED)[k].out)


def test_cell_px_scales():
    small = FlatScene(PADDING_STRIDES, SceneOptions(cell_px=20))
    big = FlatScene(PADDING_STRIDES, SceneOptions(cell_px=81))
    assert big.cell_px == 80
    x0, y0 = big.cell_center("input", (0, 0))
    x1, y1 = big.cell_center("input", (1, 1))
    assert (x1 - x0, y1 - y0) == (80, 80)
    assert big.size[0] > 3 * small.size[0]
    check_frame(big, PADDING_STRIDES, 3)


def _border_is_background(frame: np.ndarray, color: str, px: int = 4) -> bool:
    bg = np.array(rgb(color))
    edges = [frame[:px], frame[-px:], frame[:, :px], frame[:, -px:]]
    return all((e == bg).all() for e in edges)


LONG = ConvSpec((2, 9), (1, 3), stride=(1, 2), dilation=(1, 2), padding=((0, 1), (2, 0)))


@pytest.mark.parametrize("spec", [PADDING_STRIDES, TRANSPOSED, LONG, ConvSpec((2,), 2, transposed=True)])
def test_text_enlarges_canvas_and_is_not_clipped(spec):
    theme = THEMES["dark"]
    plain = FlatScene(spec, SceneOptions(theme=theme))
    labelled = FlatScene(spec, SceneOptions(theme=theme, labels=True))
    captioned = FlatScene(spec, SceneOptions(theme=theme, labels=True, caption=True))
    assert labelled.size[1] > plain.size[1]
    assert captioned.size[1] > labelled.size[1]
    for scene in (plain, labelled, captioned):
        frame = scene.frame(0)
        assert _border_is_background(frame, theme.background)
    # The caption is drawn below the grids: text pixels between the grids' bottom and the canvas end.
    frame = captioned.frame(0)
    bottom = max(captioned.cell_center("input", tuple(n - 1 for n in spec.grid_shape))[1],
                 captioned.cell_center("output", tuple(n - 1 for n in spec.output_shape))[1])
    below = frame[bottom + captioned.cell_px:]
    assert (below != np.array(rgb(theme.background))).any(axis=-1).sum() > 100


def test_long_caption_widens_canvas():
    # A 4-cell input beside a 3-cell output is narrower than its one-line caption.
    spec = ConvSpec((2,), 2, transposed=True)
    labelled = FlatScene(spec, SceneOptions(labels=True))
    captioned = FlatScene(spec, SceneOptions(labels=True, caption=True))
    assert captioned.size[0] > labelled.size[0]
    # The grids stay side by side, centred: same gap, shifted by half the extra width.
    shift = (captioned.size[0] - labelled.size[0]) // 2
    for which, cell in (("input", (0,)), ("output", (2,))):
        assert captioned.cell_center(which, cell)[0] - labelled.cell_center(which, cell)[0] == shift


# -- palette, determinism, description ------------------------------------------------------


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_frames_use_theme_colours_only(theme):
    t = THEMES[theme]
    palette = set(t.colors)
    for spec in (PADDING_STRIDES, DILATED, TRANSPOSED, UNREAD):
        scene = FlatScene(spec, SceneOptions(theme=t))
        for k in (0, len(scene) // 2, len(scene) - 1):
            used = {tuple(c) for c in np.unique(scene.frame(k).reshape(-1, 3), axis=0)}
            assert used <= palette, (spec, k, used - palette)


def test_deterministic():
    opts = SceneOptions(labels=True, caption=True)
    a = FlatScene(TRANSPOSED, opts)
    b = FlatScene(TRANSPOSED, opts)
    first = a.frame(5)
    for k in range(len(a)):
        assert np.array_equal(a.frame(k), b.frame(k))
    assert np.array_equal(a.frame(5), first)


def test_blitted_frame_equals_full_render(tmp_path):
    from PIL import Image

    scene = FlatScene(DILATED, SceneOptions(labels=True, caption=True))
    path = tmp_path / "f.png"
    scene.save(6, path, "png")
    saved = np.asarray(Image.open(path).convert("RGB"))
    assert np.array_equal(scene.frame(6), saved)


def test_describe():
    assert "over a 5×5 input" in FlatScene(PADDING_STRIDES).describe()


# -- errors -----------------------------------------------------------------------------


def test_three_d_goes_to_the_depth_slice_scene():
    from convanim.scene.flat3d import Flat3DScene

    scene = FlatScene(ConvSpec((4, 4, 4), 3))
    assert isinstance(scene, Flat3DScene) and len(scene) == 8


@pytest.mark.parametrize("cell_px", [0, 7, 12.5, "40", True])
def test_bad_cell_px(cell_px):
    with pytest.raises(ValueError, match="cell_px must be an integer >= 8"):
        FlatScene(PADDING_STRIDES, SceneOptions(cell_px=cell_px))


def test_bad_cell_center():
    scene = FlatScene(PADDING_STRIDES)
    with pytest.raises(ValueError, match="which must be 'input' or 'output'"):
        scene.cell_center("kernel", (0, 0))
    with pytest.raises(ValueError, match=r"cell must index the output grid of shape \(3, 3\)"):
        scene.cell_center("output", (3, 0))
    with pytest.raises(ValueError, match="cell must index the input grid"):
        scene.cell_center("input", (0,))


def test_3d_slices_are_named_by_depth_and_the_kernels_depth_slice_on_each():
    """No ``d = 0`` (d is dilation everywhere else); each read slice names the kernel's depth slice on it."""
    from convanim.scene.base import text_sizes
    from convanim.scene.flat3d import Flat3DScene

    scene = Flat3DScene(ConvSpec((5, 3, 3), (3, 2, 2), dilation=(2, 1, 1)))
    texts = [t for t, _ in text_sizes(scene, 0)]
    assert not [t for t in texts if t.startswith("d =")]
    assert "depth 0" in texts and "depth 4" in texts
    assert [t for t in texts if t.startswith("w[")] == ["w[0, :, :]", "w[1, :, :]", "w[2, :, :]"]
    # ... over input slices 0, 2 and 4 (dilation 2 in depth)
    labels = {item[2]: item[0] for item in _painted_texts(scene, 0)}
    centres = [p.x + p.width / 2 for p in scene.inputs]
    assert [labels[f"w[{j}, :, :]"] for j in range(3)] == [centres[d] for d in (0, 2, 4)]


def _painted_texts(scene, k):
    """The (x, y, text, ...) a painted scene writes in frame ``k``."""
    seen = []
    original = scene.paint

    def paint(k, frame):
        original(k, frame)
        seen.extend(frame.texts)

    scene.paint = paint
    try:
        scene.frame(k)
    finally:
        del scene.paint
    return seen
