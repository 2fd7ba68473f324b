"""The 1-D view (the seed post's conv-2.gif and conv-3.gif): sums, values and pixels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convanim import ConvSpec
from convanim.scene.base import SceneOptions
from convanim.scene.oned import OneDScene, output_index, outputs, terms
from convanim.themes import THEMES, hex_to_rgb
from convanim.values import Values

CONV2 = ConvSpec((5,), 3, padding="full")  # the post's conv-2.gif: flipped kernel, n = 0..6
CONV3 = ConvSpec((5,), 3)  # conv-3.gif: what a deep-learning layer computes, 3 outputs
X = np.array([3, 1, 0, 2, 4])
W = np.array([-1, 2, 1])
VALUES = Values(X, W)
CLASSIC = THEMES["classic"]


def rgb(color: str) -> tuple[int, int, int]:
    return hex_to_rgb(color)


def probe(scene, frame, row: str, index: int) -> tuple[int, int, int]:
    """A pixel near the top-left corner of a cell: inside the fill, clear of the edge and the label."""
    left, top, _, _ = scene.cell_box(row, index)
    return tuple(int(v) for v in frame[int(top) + 4, int(left) + 5])


# -- the sums written under the rows ----------------------------------------------


def test_terms_conv3_symbols():
    assert terms(CONV3, 0) == r"$o_{0} = a_{0}\cdot w_{0} + a_{1}\cdot w_{1} + a_{2}\cdot w_{2}$"
    assert terms(CONV3, 1) == r"$o_{1} = a_{1}\cdot w_{0} + a_{2}\cdot w_{1} + a_{3}\cdot w_{2}$"
    assert terms(CONV3, 2) == r"$o_{2} = a_{2}\cdot w_{0} + a_{3}\cdot w_{1} + a_{4}\cdot w_{2}$"


def test_terms_conv2_symbols_read_the_kernel_reversed():
    # (f⋆g)(n) = Σ_m a_m w_{n-m}, over the m where both are defined
    assert terms(CONV2, 0, flip=True) == r"$(f\star g)(0) = a_{0}\cdot w_{0}$"
    assert terms(CONV2, 1, flip=True) == r"$(f\star g)(1) = a_{0}\cdot w_{1} + a_{1}\cdot w_{0}$"
    assert terms(CONV2, 2, flip=True) == (
        r"$(f\star g)(2) = a_{0}\cdot w_{2} + a_{1}\cdot w_{1} + a_{2}\cdot w_{0}$"
    )
    assert terms(CONV2, 5, flip=True) == r"$(f\star g)(5) = a_{3}\cdot w_{2} + a_{4}\cdot w_{1}$"
    assert terms(CONV2, 6, flip=True) == r"$(f\star g)(6) = a_{4}\cdot w_{2}$"


def test_terms_with_values():
    # 3·(−1) + 1·2 + 0·1 = −1;  0·(−1) + 2·2 + 4·1 = 8
    assert terms(CONV3, 0, values=VALUES) == r"$o_{0} = 3\cdot (-1) + 1\cdot 2 + 0\cdot 1 = -1$"
    assert terms(CONV3, 2, values=VALUES) == r"$o_{2} = 0\cdot (-1) + 2\cdot 2 + 4\cdot 1 = 8$"
    # conv-2: (f⋆g)(1) = a_0 w_1 + a_1 w_0 = 3·2 + 1·(−1) = 5;  (f⋆g)(6) = a_4 w_2 = 4·1
    assert terms(CONV2, 1, flip=True, values=VALUES) == r"$(f\star g)(1) = 3\cdot 2 + 1\cdot (-1) = 5$"
    assert terms(CONV2, 6, flip=True, values=VALUES) == r"$(f\star g)(6) = 4\cdot 1 = 4$"
    negative = Values(np.array([-2, 1, 0, 0, 0]), W)
    assert terms(CONV3, 0, values=negative) == r"$o_{0} = (-2)\cdot (-1) + 1\cdot 2 + 0\cdot 1 = 4$"


def test_terms_with_float_values():
    v = Values(np.array([0.5, -1.25, 2.0]), np.array([0.1, 1.0]))
    assert terms(ConvSpec((3,), 2), 0, values=v) == r"$o_{0} = 0.5\cdot 0.1 + (-1.25)\cdot 1 = -1.2$"


def test_terms_leave_out_padding_and_name_the_mathematical_index():
    # 'valid' part of a convolution starts at n = k - 1 = 2
    assert [output_index(CONV3, o, True) for o in range(3)] == [2, 3, 4]
    assert terms(CONV3, 0, flip=True) == (
        r"$(f\star g)(2) = a_{0}\cdot w_{2} + a_{1}\cdot w_{1} + a_{2}\cdot w_{0}$"
    )
    # a window over padding only sums nothing
    assert terms(ConvSpec((2,), 2, padding=3), 0) == r"$o_{0} = 0$"


def test_terms_rejects_bad_steps():
    with pytest.raises(ValueError, match="step"):
        terms(CONV3, 3)
    with pytest.raises(ValueError, match="step"):
        terms(CONV3, -1)


# -- the numbers: convolve with the kernel as drawn ------------------------------


def test_flip_is_numpy_convolve_and_no_flip_is_correlate():
    assert outputs(CONV2, VALUES, flip=True).tolist() == np.convolve(X, W, mode="full").tolist()
    assert outputs(CONV3, VALUES, flip=False).tolist() == np.correlate(X, W, mode="valid").tolist()
    # by hand: correlate [3,1,0,2,4] with [-1,2,1] -> [-1, 1, 8]
    assert outputs(CONV3, VALUES).tolist() == [-1, 1, 8]
    # the 'valid' part of the convolution is numpy's 'valid' convolution
    assert outputs(CONV3, VALUES, flip=True).tolist() == np.convolve(X, W, mode="valid").tolist()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(-5, 5), min_size=1, max_size=9),
    st.lists(st.integers(-5, 5), min_size=1, max_size=5),
)
def test_flip_matches_numpy_for_any_sizes(xs, ws):
    x, w = np.array(xs), np.array(ws)
    full = ConvSpec((len(xs),), len(ws), padding="full")
    assert outputs(full, Values(x, w), flip=True).tolist() == np.convolve(x, w, mode="full").tolist()
    if len(ws) <= len(xs):
        valid = ConvSpec((len(xs),), len(ws))
        assert outputs(valid, Values(x, w)).tolist() == np.correlate(x, w, mode="valid").tolist()


def test_matches_torch_conv1d():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = torch.tensor(X, dtype=torch.float64).reshape(1, 1, -1)
    w = torch.tensor(W, dtype=torch.float64).reshape(1, 1, -1)
    assert outputs(CONV3, VALUES).tolist() == F.conv1d(x, w).flatten().tolist()
    # the mathematical convolution is conv1d with the reversed kernel, over the full range
    flipped = F.conv1d(x, torch.flip(w, dims=[-1]), padding=2).flatten().tolist()
    assert outputs(CONV2, VALUES, flip=True).tolist() == flipped
    strided = ConvSpec((7,), 3, stride=2, padding=1, dilation=2)
    x7 = np.arange(7) - 3
    expect = F.conv1d(torch.tensor(x7, dtype=torch.float64).reshape(1, 1, -1), w, stride=2, padding=1,
                      dilation=2).flatten().tolist()
    assert outputs(strided, Values(x7, W)).tolist() == expect


def test_scene_writes_the_outputs_it_computes():
    scene = OneDScene(CONV2, flip=True, values=VALUES)
    for k, value in enumerate(np.convolve(X, W, mode="full")):
        assert scene.terms[k].endswith(f"= {value}$")


# -- arguments -------------------------------------------------------------------


def test_spec_must_be_1d():
    with pytest.raises(ValueError, match="1-D.*2 axes"):
        OneDScene(ConvSpec(5, 3))
    with pytest.raises(ValueError, match="1-D"):
        terms(ConvSpec((5, 5, 5), 3), 0)


def test_values_must_fit_the_spec():
    with pytest.raises(ValueError, match=r"values\.x"):
        OneDScene(CONV3, values=Values(np.arange(4), W))
    with pytest.raises(ValueError, match=r"values\.w"):
        OneDScene(CONV3, values=Values(X, np.arange(2)))


def test_flip_must_be_bool():
    with pytest.raises(ValueError, match="flip"):
        OneDScene(CONV3, flip=1)


# -- frames and pixels ---------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [CONV2, CONV3, ConvSpec((7,), 3, stride=2, padding=1), ConvSpec((7,), 3, dilation=2),
     ConvSpec((3,), 3, stride=2, padding=1, transposed=True, output_padding=1)],
)
def test_one_frame_per_output(spec):
    scene = OneDScene(spec)
    assert len(scene) == spec.output_shape[0]
    shapes = {frame.shape for frame in scene.frames()}
    width, height = scene.size
    assert shapes == {(height, width, 3)}


def test_sizes_read_at_about_500_px():
    assert 440 <= OneDScene(CONV2, flip=True).size[0] <= 560
    assert 330 <= OneDScene(CONV3).size[0] <= 560


@pytest.mark.parametrize("values", [None, VALUES])
def test_conv2_pixels(values):
    # grid: 2 padding cells, a_0..a_4, 2 padding cells; step n covers grid cells n, n+1, n+2
    scene = OneDScene(CONV2, flip=True, values=values)
    kinds = ["padding"] * 2 + ["input"] * 5 + ["padding"] * 2
    assert len(scene) == 7
    for n in range(7):
        frame = scene.frame(n)
        for cell, kind in enumerate(kinds):
            covered = n <= cell <= n + 2
            base = CLASSIC.input if kind == "input" else CLASSIC.padding
            expect = CLASSIC.over(base) if covered else base
            assert probe(scene, frame, "input", cell) == rgb(expect), (n, cell)
            kernel = CLASSIC.over(CLASSIC.background) if covered else CLASSIC.background
            assert probe(scene, frame, "kernel", cell) == rgb(kernel), (n, cell)
        for o in range(7):
            if o < n:
                expect = CLASSIC.output
            else:
                expect = CLASSIC.over(CLASSIC.output) if o == n else CLASSIC.background
            assert probe(scene, frame, "output", o) == rgb(expect), (n, o)


def test_conv3_pixels():
    scene = OneDScene(CONV3)
    assert len(scene) == 3
    for n in range(3):
        frame = scene.frame(n)
        for cell in range(5):
            covered = n <= cell <= n + 2
            expect = CLASSIC.over(CLASSIC.input) if covered else CLASSIC.input
            assert probe(scene, frame, "input", cell) == rgb(expect), (n, cell)


def test_output_cells_sit_under_the_kernel():
    scene = OneDScene(CONV3)
    for n in range(3):
        out = scene.cell_box("output", n)
        middle = scene.cell_box("kernel", n + 1)
        assert out[0] == middle[0] and out[2] == middle[2]
        assert out[1] > middle[3]


def test_kernel_order_and_labels():
    def kernel_labels(scene, k):
        scene.frame(k)
        return [text.get_text() for _, text in scene.kernel]

    assert kernel_labels(OneDScene(CONV2, flip=True), 0) == ["$w_{2}$", "$w_{1}$", "$w_{0}$"]
    assert kernel_labels(OneDScene(CONV3), 1) == ["$w_{0}$", "$w_{1}$", "$w_{2}$"]
    assert kernel_labels(OneDScene(CONV3, values=VALUES), 0) == ["$-1$", "$2$", "$1$"]
    assert kernel_labels(OneDScene(CONV2, flip=True, values=VALUES), 0) == ["$1$", "$2$", "$-1$"]


def test_computed_outputs_show_symbols_or_values():
    scene = OneDScene(CONV2, flip=True)
    scene.frame(3)
    shown = [text.get_text() for _, text in scene.outs if text.get_visible()]
    assert shown == [f"$y_{{{n}}}$" for n in range(4)]
    scene = OneDScene(CONV3, values=VALUES)
    scene.frame(2)
    assert [text.get_text() for _, text in scene.outs] == ["$-1$", "$1$", "$8$"]


def test_labels_caption_and_themes_render():
    for name in ("dark", "colorblind"):
        theme = THEMES[name]
        scene = OneDScene(CONV2, SceneOptions(theme=theme, labels=True, caption=True), flip=True)
        frame = scene.frame(0)
        assert probe(scene, frame, "input", 0) == rgb(theme.over(theme.padding))
        assert probe(scene, frame, "input", 4) == rgb(theme.input)
        assert tuple(frame[1, 1]) == rgb(theme.background)


def test_cell_px_sets_the_cell_size():
    scene = OneDScene(CONV3, SceneOptions(cell_px=50))
    left, top, right, bottom = scene.cell_box("input", 0)
    assert right - left == 50 and bottom - top == 50


def test_same_inputs_same_pixels_in_any_order():
    # Two scenes drawn in opposite orders agree frame by frame: nothing of one frame leaks into the next.
    a = OneDScene(CONV2, flip=True, values=VALUES)
    b = OneDScene(CONV2, flip=True, values=VALUES)
    forward = [a.frame(k).copy() for k in range(len(a))]
    backward = [b.frame(k).copy() for k in reversed(range(len(b)))][::-1]
    for k in range(len(a)):
        assert np.array_equal(forward[k], backward[k]), k
    assert not np.array_equal(forward[0], forward[4])  # the frames do differ


@pytest.mark.parametrize(("spec", "flip"), [(CONV2, True), (CONV3, False)])
def test_every_text_reads_at_the_posts_200_px(spec, flip):
    # The post prints conv-2 and conv-3 200 px wide: every text (cells, row names, the sum) must
    # keep a font of at least 9 px there (1 pt = 100/72 px at the scene's 100 dpi).
    scene = OneDScene(spec, flip=flip)
    shrink = 200 / scene.size[0]
    texts = [t for t in scene.axes.texts if t.get_text()]
    scene.frame(len(scene) - 1)
    texts += [scene.equation]
    assert len(texts) >= 3 + spec.input_size[0]
    for text in texts:
        assert text.get_fontsize() * 100 / 72 * shrink >= 9, (text.get_text(), text.get_fontsize())


def test_describe_names_the_operation():
    assert "convolution" in OneDScene(CONV2, flip=True).describe()
    assert "cross-correlation" in OneDScene(CONV3).describe()


@pytest.mark.parametrize("kernel, dilation", [(2, 2), (3, 1), (2, 4)])
def test_causal_outputs_sit_under_their_newest_input_and_the_zeros_are_written(kernel, dilation):
    from convanim.scene.oned import OneDScene, is_causal, terms
    from convanim.values import Values

    spec = ConvSpec((8,), kernel, dilation=dilation, padding="causal")
    lo = dilation * (kernel - 1)
    assert is_causal(spec) and is_causal(ConvSpec((8,), kernel, dilation=dilation, padding=((lo, 0),)))
    scene = OneDScene(spec)
    for n in range(8):
        out, newest = scene.cell_box("output", n), scene.cell_box("input", n + lo)  # a_n is grid cell n + lo
        assert (out[0] + out[2]) / 2 == (newest[0] + newest[2]) / 2
    # o_0 reads kernel-1 zeros before a_0: each written as a zero term
    first = terms(spec, 0)
    assert first.count("0\\cdot w_") == kernel - 1 and first.endswith(f"a_{{0}}\\cdot w_{{{kernel - 1}}}$")
    assert "0\\cdot" not in terms(spec, 7)  # reads inputs only
    x, w = np.arange(1, 9), np.arange(2, 2 + kernel)
    assert terms(spec, 0, values=Values(x, w)).endswith(f"= {x[0] * w[-1]}$")
    # not causal: centred under the window, zeros left out
    same = ConvSpec((8,), 3, padding=1)
    assert not is_causal(same) and "0\\cdot" not in terms(same, 0)
    box, window = OneDScene(same).cell_box("output", 0), OneDScene(same).cell_box("input", 1)
    assert (box[0] + box[2]) / 2 == (window[0] + window[2]) / 2
