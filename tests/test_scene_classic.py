"""The classic layout: frame counts, canvas sizes against the reference GIFs, colours at cell centres.

Cell centres are located here independently of the scene's code: the lowest
ink pixel of a frame is the drawn input grid's bottom corner (its bottom-left
corner before the slant), and from there a grid point (x along a row, y up)
lies at ``cell_px * (x - 0.7*y, 0.5*x + 0.65*y)`` pixels (TikZ ``yslant=0.5,
xslant=-0.7``); the output grid's origin is ``rows + 1`` cells straight above
the input's (2.5 pt, 0.176 cell, to the left, as in the reference). Expected
colours for the classic theme are the ones measured on the reference GIFs.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from convanim import ConvSpec, schedule
from convanim.scene.base import SceneOptions
from convanim.scene.classic import ClassicScene
from convanim.themes import THEMES


def _shared() -> Path:
    """``shared/`` beside the repository (a checkout at X/repo has X/shared), or beside an ancestor."""
    root = Path(__file__).resolve().parent.parent
    for folder in (root, *root.parents):
        if (folder.parent / "shared" / "reference").is_dir():
            return folder.parent / "shared"
    return root.parent / "shared"


METRICS = _shared() / "reference" / "conv_arithmetic" / "METRICS.csv"

CELL = 30  # cell_px used where pixels are probed

# Colours measured on the reference GIFs (METRICS.csv / STYLE.md).
INPUT, OUTPUT, PADDING = "#268bd2", "#2aa198", "#ffffff"
TAP_ON_INPUT, TAP_ON_PADDING, CURRENT_OUTPUT = "#1a6998", "#9cafb3", "#1c7676"

PADDING_STRIDES = ConvSpec(5, 3, stride=2, padding=1)
ODD_TRANSPOSED = ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1)
NO_PADDING_STRIDES_TRANSPOSED = ConvSpec(2, 3, stride=2, transposed=True)
DILATION = ConvSpec(7, 3, dilation=2)


def rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return tuple(int(c[i : i + 2], 16) for i in (0, 2, 4))


def slant(x: float, y: float) -> tuple[float, float]:
    return x - 0.7 * y, 0.5 * x + 0.65 * y


def bottom_corner(frame: np.ndarray, background: str) -> tuple[float, float]:
    """(x, y) pixel of the lowest ink: the input grid's bottom corner."""
    ink = np.any(frame != np.array(rgb(background), dtype=np.uint8), axis=2)
    rows = np.nonzero(ink.any(axis=1))[0]
    y = rows[-1]
    return float(np.nonzero(ink[y])[0].mean()), float(y)


def centre(anchor, grid_rows: int, which: str, cell, in_rows: int) -> tuple[float, float]:
    """Pixel centre of ``cell`` (row, col) of a grid with ``grid_rows`` rows."""
    r, c = cell
    x, y = slant(c + 0.5, grid_rows - r - 0.5)
    if which == "output":
        x, y = x - 0.176, y + in_rows + 1
    return anchor[0] + CELL * x, anchor[1] - CELL * y


def colour_at(frame: np.ndarray, xy) -> tuple[int, int, int]:
    """The most common colour of the 5x5 patch around ``xy`` (a 1-px line may cross the centre)."""
    x, y = round(xy[0]), round(xy[1])
    patch = frame[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3)
    values, counts = np.unique(patch, axis=0, return_counts=True)
    return tuple(int(v) for v in values[counts.argmax()])


def scene(spec, **kw) -> ClassicScene:
    return ClassicScene(spec, SceneOptions(cell_px=CELL, **kw))


def check_frame(spec, k, is_input, taps, out_cell, colours=None):
    """Probe every drawn cell and every output cell of frame ``k``.

    ``is_input(r, c)`` says which drawn cells hold input values, ``taps`` is
    the set of tap cells, ``out_cell`` the output cell being written.
    """
    c = colours or {
        "input": INPUT, "padding": PADDING, "tap_input": TAP_ON_INPUT, "tap_padding": TAP_ON_PADDING,
        "output": OUTPUT, "current": CURRENT_OUTPUT, "background": "#ffffff",
    }
    sc = scene(spec, **({"theme": c["theme"]} if "theme" in c else {}))
    frame = sc.frame(k)
    anchor = bottom_corner(frame, c["background"])
    rows, cols = spec.grid_shape
    out_rows, out_cols = spec.output_shape
    wrong = []
    for r in range(rows):
        for col in range(cols):
            kind = "input" if is_input(r, col) else "padding"
            want = rgb(c[f"tap_{kind}"] if (r, col) in taps else c[kind])
            got = colour_at(frame, centre(anchor, rows, "input", (r, col), rows))
            if got != want:
                wrong.append(("input", (r, col), got, want))
    for r in range(out_rows):
        for col in range(out_cols):
            want = rgb(c["current"] if (r, col) == out_cell else c["output"])
            got = colour_at(frame, centre(anchor, out_rows, "output", (r, col), rows))
            if got != want:
                wrong.append(("output", (r, col), got, want))
    assert not wrong, wrong[:5]


def square(r0, c0, k, d=1):
    return {(r0 + d * i, c0 + d * j) for i in range(k) for j in range(k)}


# -- frames -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        PADDING_STRIDES,
        ODD_TRANSPOSED,
        DILATION,
        ConvSpec((4, 6), (2, 3), stride=(1, 2), padding=((0, 1), (1, 0))),
        ConvSpec((7,), 3, stride=2, padding=1),
    ],
    ids=["padding_strides", "odd_transposed", "dilation", "asymmetric", "1d"],
)
def test_one_frame_per_step(spec):
    sc = scene(spec)
    assert len(sc) == len(schedule(spec)) == math.prod(spec.output_shape)
    w, h = sc.size
    assert sc.frame(len(sc) - 1).shape == (h, w, 3)
    with pytest.raises(ValueError, match="step must be between"):
        sc.frame(len(sc))


def test_three_axes_are_refused():
    with pytest.raises(ValueError, match=r"^layout 'classic' draws 1-D and 2-D convolutions, got 3 axes$"):
        ClassicScene(ConvSpec((3, 3, 3), 2))


def test_bad_cell_size_is_refused():
    with pytest.raises(ValueError, match="cell_px must be a number >= 8, got 2"):
        ClassicScene(PADDING_STRIDES, SceneOptions(cell_px=2))


def test_renders_are_deterministic():
    a, b = scene(ODD_TRANSPOSED), scene(ODD_TRANSPOSED)
    first = [a.frame(k) for k in range(len(a))]
    for k in reversed(range(len(b))):  # another order: nothing may leak between frames
        assert np.array_equal(first[k], b.frame(k))


def _step_box(sc, step, pad: float) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) pixels around step's footprint, its output cell and the rays between them."""
    (r0, r1), (c0, c1) = step.footprint
    centres = [sc.cell_center("input", (r, c)) for r in (r0, r1) for c in (c0, c1)]
    centres.append(sc.cell_center("output", step.out))
    xs, ys = zip(*centres)
    return (int(min(xs) - pad), int(min(ys) - pad), int(max(xs) + pad) + 1, int(max(ys) + pad) + 1)


@pytest.mark.parametrize("spec", [PADDING_STRIDES, DILATION], ids=["padding_strides", "dilation"])
def test_frames_differ_only_where_the_kernel_moves(spec):
    # From one frame to the next only the kernel's footprint, the output cell it writes and the rays
    # between them change: every pixel outside the boxes around those (for both steps) stays equal.
    sc = scene(spec)
    steps = schedule(spec)
    frames = [sc.frame(k).copy() for k in range(len(sc))]
    h, w, _ = frames[0].shape
    for k in range(len(frames) - 1):
        changed = (frames[k] != frames[k + 1]).any(axis=2)
        inside = np.zeros((h, w), bool)
        for step in (steps[k], steps[k + 1]):
            x0, y0, x1, y1 = _step_box(sc, step, pad=1.2 * CELL)  # a slanted cell spans ~1.7 x 1.2 cells
            inside[max(y0, 0) : y1, max(x0, 0) : x1] = True
        assert changed.any(), k
        assert not (changed & ~inside).any(), (k, np.argwhere(changed & ~inside)[:3].tolist())
        assert (~inside).mean() > 0.2  # the check covers a good part of the frame


# -- size -----------------------------------------------------------------------------


def _reference_rows():
    if not METRICS.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{METRICS} is not available"))]
    with METRICS.open(newline="") as f:
        return [pytest.param(row, id=row["file"]) for row in csv.DictReader(f)]


def spec_of(row) -> ConvSpec:
    """The reference case in convanim's (PyTorch) terms."""
    i, o, p, k, s, d = (
        int(row[f"gen_{n}"])
        for n in ("input_size_i", "output_size_o", "padding_p", "kernel_k", "stride_s", "dilation_d")
    )
    if row["gen_transposed"] == "True":
        a = (i + 2 * p - d * (k - 1) - 1) % s
        return ConvSpec(o, k, stride=s, padding=p, dilation=d, transposed=True, output_padding=a)
    return ConvSpec(i, k, stride=s, padding=p, dilation=d)


@pytest.mark.parametrize("row", _reference_rows())
def test_default_size_and_frames_match_the_reference(row):
    sc = ClassicScene(spec_of(row))
    w, h = sc.size
    ref_w, ref_h = int(row["width_px"]), int(row["height_px"])
    assert abs(w - ref_w) <= 0.1 * ref_w, (w, ref_w)
    assert abs(h - ref_h) <= 0.1 * ref_h, (h, ref_h)
    assert len(sc) == int(row["n_frames"])
    assert f"{spec_of(row).grid_shape[0]}x{spec_of(row).grid_shape[1]}" == row["drawn_grid_total"]


def test_cell_px_scales_the_canvas():
    small, large = scene(PADDING_STRIDES).size, ClassicScene(PADDING_STRIDES, SceneOptions(cell_px=60)).size
    assert all(abs(b - 2 * a) <= 2 for a, b in zip(small, large, strict=True))


# -- colours at cell centres -------------------------------------------------------------


@pytest.mark.parametrize("k", [0, 1, 4, 8])
def test_padding_strides_colours(k):
    oi, oj = divmod(k, 3)
    is_input = lambda r, c: 1 <= r <= 5 and 1 <= c <= 5  # noqa: E731
    check_frame(PADDING_STRIDES, k, is_input, square(2 * oi, 2 * oj, 3), (oi, oj))


@pytest.mark.parametrize("k", [0, 1, 7, 20, 35])
def test_odd_transposed_colours(k):
    # 3x3 input, one zero between cells, border 1, and the output_padding row and column
    # at the bottom and right: input values sit on rows/columns 1, 3, 5 of the 8x8 grid.
    oi, oj = divmod(k, 6)
    is_input = lambda r, c: r in (1, 3, 5) and c in (1, 3, 5)  # noqa: E731
    check_frame(ODD_TRANSPOSED, k, is_input, square(oi, oj, 3), (oi, oj))


@pytest.mark.parametrize("k", [0, 1, 24])
def test_no_padding_strides_transposed_colours(k):
    oi, oj = divmod(k, 5)
    is_input = lambda r, c: r in (2, 4) and c in (2, 4)  # noqa: E731
    check_frame(NO_PADDING_STRIDES_TRANSPOSED, k, is_input, square(oi, oj, 3), (oi, oj))


@pytest.mark.parametrize("k", [0, 5, 8])
def test_dilation_shades_only_the_taps(k):
    oi, oj = divmod(k, 3)
    check_frame(DILATION, k, lambda r, c: True, square(oi, oj, 3, d=2), (oi, oj))


@pytest.mark.parametrize("name", ["dark", "colorblind"])
def test_other_themes_use_their_colours(name):
    theme = THEMES[name]
    colours = {
        "theme": theme, "input": theme.input, "padding": theme.padding, "output": theme.output,
        "tap_input": theme.over(theme.input), "tap_padding": theme.over(theme.padding),
        "current": theme.over(theme.output), "background": theme.background,
    }
    for k in (0, 4):
        oi, oj = divmod(k, 3)
        check_frame(PADDING_STRIDES, k, lambda r, c: 1 <= r <= 5 and 1 <= c <= 5, square(2 * oi, 2 * oj, 3),
                    (oi, oj), colours)
    frame = scene(PADDING_STRIDES, theme=theme).frame(0)
    assert tuple(frame[1, 1]) == rgb(theme.background)


def test_one_dimensional_spec_is_one_row():
    spec = ConvSpec((7,), 3, stride=2, padding=1)
    sc = scene(spec)
    for k in range(len(sc)):
        frame = sc.frame(k)
        anchor = bottom_corner(frame, "#ffffff")
        for col in range(9):
            kind = "input" if 1 <= col <= 7 else "padding"
            tap = 2 * k <= col <= 2 * k + 2
            want = {("input", False): INPUT, ("padding", False): PADDING,
                    ("input", True): TAP_ON_INPUT, ("padding", True): TAP_ON_PADDING}[kind, tap]
            assert colour_at(frame, centre(anchor, 1, "input", (0, col), 1)) == rgb(want), (k, col)
            expected = centre(anchor, 1, "input", (0, col), 1)
            assert sc.cell_center("input", (col,)) == pytest.approx(expected, abs=2)
        for col in range(4):
            want = CURRENT_OUTPUT if col == k else OUTPUT
            assert colour_at(frame, centre(anchor, 1, "output", (0, col), 1)) == rgb(want), (k, col)


# -- cell_center ----------------------------------------------------------------------------


# Centroids of the shaded cells measured by hand on the reference GIFs (frame, pixel x, y).
MEASURED = [
    (PADDING_STRIDES, "output", (0, 0), (123.7, 67.5)),  # padding_strides.gif frame 0
    (PADDING_STRIDES, "output", (2, 2), (224.3, 76.4)),  # frame 8
    (ODD_TRANSPOSED, "output", (0, 0), (82.5, 112.1)),  # padding_strides_odd_transposed.gif frame 0
    (ODD_TRANSPOSED, "output", (5, 5), (333.3, 134.2)),  # frame 35
    (ODD_TRANSPOSED, "input", (1, 1), (97.3, 344.0)),  # frame 0, the tap on the input cell
]


@pytest.mark.parametrize("spec, which, cell, xy", MEASURED)
def test_cell_center_matches_the_reference(spec, which, cell, xy):
    assert ClassicScene(spec).cell_center(which, cell) == pytest.approx(xy, abs=2)


@pytest.mark.parametrize("spec", [PADDING_STRIDES, ODD_TRANSPOSED, DILATION])
def test_cell_center_agrees_with_the_slant_geometry(spec):
    sc = scene(spec)
    anchor = bottom_corner(sc.frame(0), "#ffffff")
    rows, cols = spec.grid_shape
    out_rows, out_cols = spec.output_shape
    for cell in [(0, 0), (0, cols - 1), (rows - 1, 0), (rows - 1, cols - 1), (rows // 2, cols // 3)]:
        expected = centre(anchor, rows, "input", cell, rows)
        assert sc.cell_center("input", cell) == pytest.approx(expected, abs=2)
    for cell in [(0, 0), (out_rows - 1, out_cols - 1), (0, out_cols - 1)]:
        expected = centre(anchor, out_rows, "output", cell, rows)
        assert sc.cell_center("output", cell) == pytest.approx(expected, abs=2)
    with pytest.raises(ValueError, match="which must be 'input' or 'output'"):
        sc.cell_center("kernel", (0, 0))


def test_scan_starts_at_the_leftmost_corner():
    """Frame 0 shades the output grid's leftmost cell; the kernel sits on the input's leftmost corner."""
    sc = scene(PADDING_STRIDES)
    frame = sc.frame(0)
    shaded = np.all(frame == rgb(CURRENT_OUTPUT), axis=2)
    output = np.all(frame == rgb(OUTPUT), axis=2)
    assert np.nonzero(shaded)[1].min() < np.nonzero(output)[1].min()
    taps = np.all(frame == rgb(TAP_ON_PADDING), axis=2) | np.all(frame == rgb(TAP_ON_INPUT), axis=2)
    ink = np.any(frame != 255, axis=2)
    lower = frame.shape[0] // 2  # below the output grid: only the input grid and the rays' feet
    assert np.nonzero(taps[lower:])[1].min() <= np.nonzero(ink[lower:])[1].min() + 4
    assert np.nonzero(taps)[1].min() <= sc.cell_center("input", (0, 0))[0]


# -- labels and caption ---------------------------------------------------------------------


LONG = [ODD_TRANSPOSED, ConvSpec((4, 9), (3, 2), stride=(1, 2), padding=((0, 1), (2, 1)), dilation=(2, 1)),
        ConvSpec((7,), 3, stride=2, padding=1), ConvSpec(2, 2)]


@pytest.mark.parametrize("spec", LONG, ids=["odd_transposed", "asymmetric", "1d", "tiny"])
@pytest.mark.parametrize("labels, caption", [(True, False), (False, True), (True, True)])
def test_text_enlarges_the_canvas_and_is_not_clipped(spec, labels, caption):
    plain = scene(spec)
    sc = scene(spec, labels=labels, caption=caption)
    assert len(sc) == len(plain)
    (w0, h0), (w, h) = plain.size, sc.size
    assert w >= w0 and h >= h0 and (w, h) != (w0, h0)
    frame = sc.frame(0)
    edge = np.concatenate([frame[:4].reshape(-1, 3), frame[-4:].reshape(-1, 3),
                           frame[:, :4].reshape(-1, 3), frame[:, -4:].reshape(-1, 3)])
    assert np.all(edge == 255), "something is drawn within 4 px of the canvas edge"


def test_labels_leave_the_grids_alone():
    """With labels and caption the cell colours are the same as without (text never covers a cell)."""
    plain, labelled = scene(ODD_TRANSPOSED), scene(ODD_TRANSPOSED, labels=True, caption=True)
    a, b = plain.frame(3), labelled.frame(3)
    rows, cols = ODD_TRANSPOSED.grid_shape
    out_rows, out_cols = ODD_TRANSPOSED.output_shape
    for which, shape in (("input", (rows, cols)), ("output", (out_rows, out_cols))):
        for r in range(shape[0]):
            for c in range(shape[1]):
                assert colour_at(a, plain.cell_center(which, (r, c))) == colour_at(
                    b, labelled.cell_center(which, (r, c))
                ), (which, r, c)


def test_describe_is_one_sentence():
    text = scene(ODD_TRANSPOSED).describe()
    assert text and "\n" not in text and "transposed" in text
