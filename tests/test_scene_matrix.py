"""The matrix view (the seed post's conv-flat.gif and conv-flat-transpose.gif): the matrix, frames, pixels."""

from __future__ import annotations

import numpy as np
import pytest

from convanim import ConvSpec
from convanim.scene.base import SceneOptions
from convanim.scene.matrix import MAX_CELLS, MatrixScene, conv_matrix
from convanim.themes import THEMES, blend, hex_to_rgb
from convanim.values import Values, convolve

CLASSIC = THEMES["classic"]


def probe(frame: np.ndarray, box, fx: float = 0.12, fy: float = 0.2) -> tuple[int, int, int]:
    """The colour at a point of a cell box, away from its centred label and its edges."""
    x0, y0, x1, y1 = box
    return tuple(int(v) for v in frame[int(y0 + fy * (y1 - y0)), int(x0 + fx * (x1 - x0))])


# -- the matrix ------------------------------------------------------------------


def test_conv_matrix_1d_by_hand():
    assert conv_matrix(ConvSpec((4,), 3)).tolist() == [[0, 1, 2, -1], [-1, 0, 1, 2]]
    # stride 2, padding 1 over 5 cells: windows start at -1, 1, 3
    assert conv_matrix(ConvSpec((5,), 3, stride=2, padding=1)).tolist() == [
        [1, 2, -1, -1, -1],  # cells -1 (padding), 0, 1
        [-1, 0, 1, 2, -1],  # cells 1, 2, 3
        [-1, -1, -1, 0, 1],  # cells 3, 4, 5 (padding)
    ]


def test_conv_matrix_2d_rows_by_hand():
    m = conv_matrix(ConvSpec(5, 3))
    assert m.shape == (9, 25)
    # output (0, 0) reads input rows 0-2, columns 0-2: flat 0,1,2, 5,6,7, 10,11,12
    row = np.full(25, -1)
    row[[0, 1, 2, 5, 6, 7, 10, 11, 12]] = range(9)
    assert m[0].tolist() == row.tolist()
    # output (2, 2) reads rows 2-4, columns 2-4
    row = np.full(25, -1)
    row[[12, 13, 14, 17, 18, 19, 22, 23, 24]] = range(9)
    assert m[8].tolist() == row.tolist()
    assert (m >= 0).sum() == 81


def test_conv_matrix_transposed_by_hand():
    m = conv_matrix(ConvSpec(3, 3, transposed=True))
    assert m.shape == (25, 9)
    # out[0, 4] = x[0, 2]·w[0, 2] alone; out[2, 2] = sum of x[i]·w[2 - i] over all nine cells
    assert [(c, k) for c, k in enumerate(m[4]) if k >= 0] == [(2, 2)]
    assert m[12].tolist() == [8, 7, 6, 5, 4, 3, 2, 1, 0]


SPECS = [
    ConvSpec(5, 3),
    ConvSpec(5, 3, padding=1),
    ConvSpec(5, 3, stride=2, padding=1),
    ConvSpec(6, 3, stride=2),
    ConvSpec(7, 3, dilation=2),
    ConvSpec((4, 6), (2, 3), stride=(1, 2), padding=(1, 0)),
    ConvSpec((9,), 4, stride=2, padding=1),
    ConvSpec(3, 3, transposed=True),
    ConvSpec(3, 3, stride=2, padding=1, transposed=True),
    ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1),
    ConvSpec(3, 2, dilation=2, transposed=True),
    ConvSpec((5,), 3, stride=3, transposed=True),
]


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_matrix_times_vector_is_the_convolution(spec):
    rng = np.random.default_rng(7)
    x = rng.integers(-4, 5, size=spec.input_size)
    w = rng.integers(-3, 4, size=spec.kernel_size)
    c = conv_matrix(spec, w)
    assert c.shape == (int(np.prod(spec.output_shape)), int(np.prod(spec.input_size)))
    assert np.array_equal(c @ x.ravel(), convolve(spec, x, w).ravel())


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_matrix_times_vector_is_torch(spec):
    torch = pytest.importorskip("torch")
    if spec.ndim == 1:
        conv, conv_t = torch.nn.functional.conv1d, torch.nn.functional.conv_transpose1d
    else:
        conv, conv_t = torch.nn.functional.conv2d, torch.nn.functional.conv_transpose2d
    rng = np.random.default_rng(11)
    x = rng.standard_normal(spec.input_size)
    w = rng.standard_normal(spec.kernel_size)
    tx = torch.tensor(x[None, None])
    tw = torch.tensor(w[None, None])
    pads = tuple(lo for lo, _ in spec.pads)
    assert all(lo == hi for lo, hi in spec.pads)
    if spec.transposed:
        y = conv_t(
            tx,
            tw,
            stride=spec.stride,
            padding=pads,
            output_padding=spec.output_padding,
            dilation=spec.dilation,
        )
    else:
        y = conv(tx, tw, stride=spec.stride, padding=pads, dilation=spec.dilation)
    expected = y[0, 0].numpy().ravel()
    assert np.allclose(conv_matrix(spec, w) @ x.ravel(), expected, atol=1e-12)


@pytest.mark.parametrize(
    "direct, transposed",
    [
        (ConvSpec(5, 3), ConvSpec(3, 3, transposed=True)),
        (ConvSpec(5, 3, stride=2, padding=1), ConvSpec(3, 3, stride=2, padding=1, transposed=True)),
        (
            ConvSpec(6, 3, stride=2, padding=1),
            ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1),
        ),
        (ConvSpec(7, 3, dilation=2), ConvSpec(3, 3, dilation=2, transposed=True)),
        (ConvSpec((8,), 4, stride=2, padding=1), ConvSpec((4,), 4, stride=2, padding=1, transposed=True)),
    ],
    ids=str,
)
def test_transposed_matrix_is_the_transpose(direct, transposed):
    assert transposed.output_shape == direct.input_size
    assert direct.output_shape == transposed.input_size
    assert np.array_equal(conv_matrix(transposed), conv_matrix(direct).T)
    w = np.arange(1, np.prod(direct.kernel_size) + 1).reshape(direct.kernel_size)
    assert np.array_equal(conv_matrix(transposed, w), conv_matrix(direct, w).T)


def test_conv_matrix_bad_weights():
    with pytest.raises(ValueError, match=r"w must have shape \(3, 3\)"):
        conv_matrix(ConvSpec(5, 3), np.ones((2, 2)))


# -- arguments -------------------------------------------------------------------


def test_only_1d_and_2d():
    with pytest.raises(ValueError, match="1 or 2 axes"):
        MatrixScene(ConvSpec((3, 3, 3), 2))


def test_size_limit_names_the_limit():
    assert MAX_CELLS == 100
    MatrixScene(ConvSpec(10, 3))  # 100 input cells: allowed
    with pytest.raises(ValueError, match=r"at most 100 input cells, got input 11×11 = 121"):
        MatrixScene(ConvSpec(11, 3))
    with pytest.raises(ValueError, match=r"at most 100 output cells, got output 11×11 = 121"):
        MatrixScene(ConvSpec(9, 3, transposed=True))


def test_values_must_match_the_spec():
    with pytest.raises(ValueError, match=r"values.w must have shape \(3, 3\)"):
        MatrixScene(ConvSpec(5, 3), values=Values(np.zeros((5, 5)), np.zeros((3,))))


# -- frames and pixels -------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, frames, shape",
    [
        (ConvSpec(5, 3), 9, (9, 25)),
        (ConvSpec(3, 3, transposed=True), 25, (25, 9)),
        (ConvSpec(5, 3, stride=2, padding=1), 9, (9, 25)),
        (ConvSpec((7,), 3, stride=2), 3, (3, 7)),
    ],
)
def test_frame_count(spec, frames, shape):
    scene = MatrixScene(spec)
    assert len(scene) == frames
    assert scene.index.shape == shape
    frame = scene.frame(frames - 1)
    assert frame.shape == (scene.size[1], scene.size[0], 3)


def test_the_25_column_matrix_is_legible():
    scene = MatrixScene(ConvSpec(5, 3))
    width, height = scene.size
    assert 900 <= width <= 1200
    assert scene.show_labels and scene.label_pt >= 6.5
    x0, _, x1, _ = scene.box("matrix", (0, 0))
    assert x1 - x0 >= 30  # a column is wide enough for w_{m,n}
    # the vectors line up with the matrix: x entry j over column j, y entry i beside row i
    for j in (0, 12, 24):
        assert scene.box("x", j)[0] == scene.box("matrix", (0, j))[0]
    for i in (0, 4, 8):
        assert scene.box("y", i)[1] == scene.box("matrix", (i, 0))[1]


def test_highlighted_row_taps_and_output_entry():
    scene = MatrixScene(ConvSpec(5, 3))
    k = 4  # output (1, 1): input rows 1-3, columns 1-3
    frame = scene.frame(k)
    taps = {6, 7, 8, 11, 12, 13, 16, 17, 18}
    kernel = hex_to_rgb(CLASSIC.over(CLASSIC.padding))
    band = hex_to_rgb(blend(CLASSIC.padding, CLASSIC.accent, 0.12))
    light = hex_to_rgb(blend(CLASSIC.padding, CLASSIC.overlay, CLASSIC.overlay_alpha * 0.4))
    for c in range(25):
        expected = kernel if c in taps else band
        assert probe(frame, scene.box("matrix", (k, c))) == expected, c
        x_expected = CLASSIC.over(CLASSIC.input) if c in taps else CLASSIC.input
        assert probe(frame, scene.box("x", c)) == hex_to_rgb(x_expected), c
    # other rows: weights lightly shaded, zeros blank
    assert probe(frame, scene.box("matrix", (0, 0))) == light
    assert probe(frame, scene.box("matrix", (0, 3))) == hex_to_rgb(CLASSIC.padding)
    # the row is outlined in the accent colour
    x0, y0, x1, y1 = scene.box("matrix", (k, 3))
    assert tuple(frame[int(y0), int((x0 + x1) / 2)]) == hex_to_rgb(CLASSIC.accent)
    # the output entry it makes, and the others
    for r in range(9):
        expected = CLASSIC.over(CLASSIC.output) if r == k else CLASSIC.output
        assert probe(frame, scene.box("y", r), fx=0.3) == hex_to_rgb(expected), r
    # the 2-D view shows the same step
    assert probe(frame, scene.box("input", (1, 1)), 0.15, 0.15) == hex_to_rgb(CLASSIC.over(CLASSIC.input))
    assert probe(frame, scene.box("input", (0, 0)), 0.15, 0.15) == hex_to_rgb(CLASSIC.input)
    assert probe(frame, scene.box("output", (1, 1)), 0.15, 0.15) == hex_to_rgb(CLASSIC.over(CLASSIC.output))


def test_transposed_frames_follow_the_rows_of_the_transpose():
    scene = MatrixScene(ConvSpec(3, 3, transposed=True))
    kernel = hex_to_rgb(CLASSIC.over(CLASSIC.padding))
    frame = scene.frame(4)  # out (0, 4) = x[0, 2]·w[0, 2]
    for c in range(9):
        expected = kernel if c == 2 else hex_to_rgb(blend(CLASSIC.padding, CLASSIC.accent, 0.12))
        assert probe(frame, scene.box("matrix", (4, c))) == expected, c
        x_expected = CLASSIC.over(CLASSIC.input) if c == 2 else CLASSIC.input
        assert probe(frame, scene.box("x", c)) == hex_to_rgb(x_expected), c
    # beside it, the equivalent direct convolution: border 2, the kernel's corner on input (0, 2)
    assert scene.spec.grid_shape == (7, 7)
    assert probe(frame, scene.box("input", (2, 4)), 0.15, 0.15) == hex_to_rgb(CLASSIC.over(CLASSIC.input))
    assert probe(frame, scene.box("input", (0, 4)), 0.15, 0.15) == hex_to_rgb(CLASSIC.over(CLASSIC.padding))
    assert probe(frame, scene.box("input", (2, 2)), 0.15, 0.15) == hex_to_rgb(CLASSIC.input)
    frame = scene.frame(12)  # out (2, 2): the full row
    for c in range(9):
        assert probe(frame, scene.box("matrix", (12, c))) == kernel, c


def test_every_frame_shades_exactly_the_row_of_the_matrix():
    spec = ConvSpec(5, 3, stride=2, padding=1)
    scene = MatrixScene(spec)
    kernel = hex_to_rgb(CLASSIC.over(CLASSIC.padding))
    m = conv_matrix(spec)
    for k in range(len(scene)):
        frame = scene.frame(k)
        shaded = {c for c in range(25) if probe(frame, scene.box("matrix", (k, c))) == kernel}
        assert shaded == set(np.nonzero(m[k] >= 0)[0].tolist()), k


def test_numbers_and_dark_theme():
    theme = THEMES["dark"]
    spec = ConvSpec(5, 3)
    x = np.arange(25).reshape(5, 5) % 3
    w = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    scene = MatrixScene(spec, SceneOptions(theme=theme), values=Values(x, w))
    frame = scene.frame(0)
    assert tuple(frame[3, 3]) == hex_to_rgb(theme.background)
    assert probe(frame, scene.box("matrix", (0, 0))) == hex_to_rgb(theme.over(theme.padding))
    assert probe(frame, scene.box("x", 0)) == hex_to_rgb(theme.over(theme.input))
    # numbers are written in the weights' cells (text pixels besides the fill)
    x0, y0, x1, y1 = scene.box("matrix", (0, 6))
    region = frame[int(y0) + 3 : int(y1) - 3, int(x0) + 3 : int(x1) - 3].reshape(-1, 3)
    assert len({tuple(p) for p in region}) > 2


def test_deterministic():
    spec = ConvSpec(3, 3, stride=2, padding=1, transposed=True)
    a, b = MatrixScene(spec), MatrixScene(spec)
    for k in (0, 7, 24, 3):
        assert np.array_equal(a.frame(k), b.frame(k))
    assert "transposed" in a.describe()


def test_small_grid_labels_read_at_full_size():
    # conv-flat of the post: the labels of the input, kernel and output grids under the matrix were
    # about 6 px high; the letter a must reach about 9 px (measured from its outline)
    from convanim.scene.values import text_extent

    panel = MatrixScene(ConvSpec(5, 3)).panel
    assert panel.show_labels
    assert text_extent("$a$", panel.label_pt)[1] * 100 / 72 >= 9
