"""The values view (the seed post's conv-1.gif): the written-out sums, frames and pixels."""

from __future__ import annotations

import io

import numpy as np
import pytest

from convanim import ConvSpec
from convanim.scene.base import SceneOptions
from convanim.scene.values import ValuesScene, sum_terms, sum_text, text_extent, wrap_terms
from convanim.schedule import schedule
from convanim.themes import THEMES, hex_to_rgb
from convanim.values import Values

CLASSIC = THEMES["classic"]


def probe(frame: np.ndarray, box, fx: float = 0.18, fy: float = 0.2) -> tuple[int, int, int]:
    """The colour at a point of a cell box, away from its centred label and its corner weight."""
    x0, y0, x1, y1 = box
    x = int(x0 + fx * (x1 - x0))
    y = int(y0 + fy * (y1 - y0))
    return tuple(int(v) for v in frame[y, x])


def colours(frame: np.ndarray, box, inset: float = 0.12) -> set[tuple[int, int, int]]:
    x0, y0, x1, y1 = box
    dx, dy = inset * (x1 - x0), inset * (y1 - y0)
    region = frame[int(y0 + dy) : int(y1 - dy), int(x0 + dx) : int(x1 - dx)]
    return {tuple(int(v) for v in p) for p in region.reshape(-1, 3)}


# -- the sum as text ---------------------------------------------------------------


def test_sum_text_symbols_step_0_by_hand():
    expected = (
        "$a_{0,0}w_{0,0} + a_{0,1}w_{0,1} + a_{0,2}w_{0,2} + "
        "a_{1,0}w_{1,0} + a_{1,1}w_{1,1} + a_{1,2}w_{1,2} + "
        "a_{2,0}w_{2,0} + a_{2,1}w_{2,1} + a_{2,2}w_{2,2} = o_{0,0}$"
    )
    spec = ConvSpec(5, 3)
    assert sum_text(spec, 0) == expected
    assert sum_text(spec, schedule(spec)[0]) == expected


def test_sum_text_values_step_0_by_hand():
    x = np.arange(25).reshape(5, 5)
    w = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    # 0·1 + 1·0 + 2·(−1) + 5·2 + 6·0 + 7·(−2) + 10·1 + 11·0 + 12·(−1) = −8
    expected = (
        r"$0\cdot1 + 1\cdot0 + 2\cdot(-1) + 5\cdot2 + 6\cdot0 + 7\cdot(-2) + "
        r"10\cdot1 + 11\cdot0 + 12\cdot(-1) = -8$"
    )
    assert sum_text(ConvSpec(5, 3), 0, Values(x, w)) == expected


def test_sum_text_last_step_and_floats():
    x = np.full((5, 5), 0.5)
    w = np.ones((3, 3))
    # last step of a 5×5 / 3×3 conv reads rows 2-4, columns 2-4: nine times 0.5·1 = 4.5
    text = sum_text(ConvSpec(5, 3), 8, Values(x, w))
    assert text.startswith(r"$0.5\cdot1 + ")
    assert text.endswith(" = 4.5$")
    assert text.count(r"\cdot") == 9


def test_sum_text_transposed_omits_zeros():
    spec = ConvSpec(3, 3, transposed=True)
    # out[0,0] of the 3×3 → 5×5 transposed conv is x[0,0]·w[0,0] alone (out[i+m] += x[i]·w[m])
    assert sum_text(spec, 0) == "$a_{0,0}w_{0,0} = o_{0,0}$"
    # out[0,4] = x[0,2]·w[0,2]
    assert sum_text(spec, 4) == "$a_{0,2}w_{0,2} = o_{0,4}$"
    # out[2,2] reads every input cell: x[0,0]·w[2,2] first, x[2,2]·w[0,0] last
    terms, result = sum_terms(spec, 12)
    assert len(terms) == 9 and result == "o_{2,2}"
    assert terms[0] == "a_{0,0}w_{2,2}" and terms[-1] == "a_{2,2}w_{0,0}"


def test_sum_text_with_no_input_under_the_kernel():
    # stride 2, kernel 1: every other output cell of the transposed conv reads only zeros
    spec = ConvSpec(3, 1, stride=2, transposed=True)
    assert sum_text(spec, 1) == "$0 = o_{0,1}$"
    assert sum_text(spec, 1, Values(np.ones((3, 3), int), np.ones((1, 1), int))) == "$0 = 0$"


def test_sum_text_results_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    spec = ConvSpec(4, 3, stride=2, padding=1, transposed=True, output_padding=1)
    x = rng.integers(-3, 4, size=(4, 4))
    w = rng.integers(-2, 3, size=(3, 3))
    expected = torch.nn.functional.conv_transpose2d(
        torch.tensor(x[None, None], dtype=torch.float64),
        torch.tensor(w[None, None], dtype=torch.float64),
        stride=2,
        padding=1,
        output_padding=1,
    )[0, 0].numpy()
    for step in schedule(spec):
        _, result = sum_terms(spec, step, Values(x, w))
        assert float(result.replace("−", "-")) == expected[step.out]


def test_sum_text_bad_step():
    with pytest.raises(ValueError, match="step must be"):
        sum_text(ConvSpec(5, 3), 9)


def test_wrap_terms_fits_the_width():
    terms, result = sum_terms(ConvSpec(5, 3), 0)
    lines = wrap_terms(terms, result, 300, 13, 100)
    assert len(lines) >= 3
    for line in lines:
        assert text_extent(line, 13)[0] * 100 / 72 <= 300
    # nothing lost: every term and the result appear once, in order
    joined = " ".join(lines)
    positions = [joined.index(t) for t in terms]
    assert positions == sorted(positions)
    assert joined.rstrip("$").endswith("= o_{0,0}")
    assert wrap_terms(terms, result, 5000, 13, 100) == [sum_text(ConvSpec(5, 3), 0)]


# -- arguments -------------------------------------------------------------------


@pytest.mark.parametrize("spec", [ConvSpec((5,), 3), ConvSpec((4, 4, 4), 3)])
def test_only_2d(spec):
    with pytest.raises(ValueError, match="2 axes"):
        ValuesScene(spec)


def test_values_must_match_the_spec():
    with pytest.raises(ValueError, match=r"values.x must have shape \(5, 5\)"):
        ValuesScene(ConvSpec(5, 3), values=Values(np.zeros((4, 4)), np.zeros((3, 3))))
    with pytest.raises(ValueError, match=r"values.w must have shape \(3, 3\)"):
        ValuesScene(ConvSpec(5, 3), values=Values(np.zeros((5, 5)), np.zeros((2, 2))))


# -- frames and pixels ---------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, frames",
    [
        (ConvSpec(5, 3), 9),
        (ConvSpec(5, 3, stride=2, padding=1), 9),
        (ConvSpec(3, 3, transposed=True), 25),
        (ConvSpec((4, 6), (2, 3), stride=(1, 2)), 6),
    ],
)
def test_frame_count_and_size(spec, frames):
    scene = ValuesScene(spec)
    assert len(scene) == frames
    frame = scene.frame(frames - 1)
    assert frame.shape == (scene.size[1], scene.size[0], 3)
    assert frame.dtype == np.uint8


def test_taps_and_current_output_cell_are_highlighted():
    scene = ValuesScene(ConvSpec(5, 3))
    inp, shaded = hex_to_rgb(CLASSIC.input), hex_to_rgb(CLASSIC.over(CLASSIC.input))
    out, current = hex_to_rgb(CLASSIC.output), hex_to_rgb(CLASSIC.over(CLASSIC.output))
    frame = scene.frame(0)
    for r in range(5):
        for c in range(5):
            expected = shaded if r < 3 and c < 3 else inp
            assert probe(frame, scene.box("input", (r, c))) == expected, (r, c)
    assert probe(frame, scene.box("output", (0, 0))) == current
    assert probe(frame, scene.box("output", (2, 2))) == out
    frame = scene.frame(4)  # output (1, 1): rows and columns 1-3
    assert probe(frame, scene.box("input", (0, 0))) == inp
    assert probe(frame, scene.box("input", (1, 1))) == shaded
    assert probe(frame, scene.box("input", (3, 3))) == shaded
    assert probe(frame, scene.box("input", (4, 4))) == inp
    assert probe(frame, scene.box("output", (0, 0))) == out
    assert probe(frame, scene.box("output", (1, 1))) == current
    # the kernel beside the grid is drawn in the kernel shade
    assert probe(frame, scene.box("kernel", (0, 0))) == hex_to_rgb(CLASSIC.over(CLASSIC.padding))


def test_taps_on_padding_and_inserted_zeros():
    scene = ValuesScene(ConvSpec(3, 3, stride=2, padding=1, transposed=True))
    # drawn grid: border 1, one zero between input cells -> 7×7; input at 1, 3, 5
    assert scene.spec.grid_shape == (7, 7)
    frame = scene.frame(0)
    pad_shaded = hex_to_rgb(CLASSIC.over(CLASSIC.padding))
    assert probe(frame, scene.box("input", (0, 0))) == pad_shaded  # border
    assert probe(frame, scene.box("input", (1, 2))) == pad_shaded  # inserted zero
    assert probe(frame, scene.box("input", (1, 1))) == hex_to_rgb(CLASSIC.over(CLASSIC.input))
    assert probe(frame, scene.box("input", (3, 3))) == hex_to_rgb(CLASSIC.input)
    assert probe(frame, scene.box("input", (4, 4))) == hex_to_rgb(CLASSIC.padding)


def test_output_labels_appear_once_computed():
    scene = ValuesScene(ConvSpec(5, 3))
    out = hex_to_rgb(CLASSIC.output)
    box = scene.box("output", (0, 1))
    assert colours(scene.frame(0), box) == {out}  # not computed yet: a plain cell
    assert len(colours(scene.frame(1), box)) > 1  # current: its symbol is written
    assert len(colours(scene.frame(5), box)) > 1  # and stays
    assert colours(scene.frame(5), scene.box("output", (2, 2))) == {out}


def test_numbers_are_written_in_the_cells():
    x = np.arange(25).reshape(5, 5) % 4
    w = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    scene = ValuesScene(ConvSpec(5, 3), values=Values(x, w))
    frame = scene.frame(0)
    assert len(colours(frame, scene.box("input", (4, 4)))) > 1
    assert len(colours(frame, scene.box("kernel", (2, 2)))) > 1


def test_sum_is_written_under_the_grids():
    scene = ValuesScene(ConvSpec(5, 3))
    frame = scene.frame(0)
    grid_bottom = int(scene.box("input", (4, 4))[3])
    below = frame[grid_bottom + 10 :]
    assert (below != np.array(hex_to_rgb(CLASSIC.background))).any(axis=-1).sum() > 500
    # a longer sum needs more ink than the one-term sums of a transposed conv's corner
    corner = ValuesScene(ConvSpec(3, 3, transposed=True)).frame(0)
    corner_bottom = int(ValuesScene(ConvSpec(3, 3, transposed=True)).box("input", (6, 6))[3])
    ink_full = (below != 255).any(axis=-1).sum()
    ink_corner = (corner[corner_bottom + 10 :] != 255).any(axis=-1).sum()
    assert ink_full > 3 * ink_corner > 0


def test_dark_theme_colours():
    theme = THEMES["dark"]
    scene = ValuesScene(ConvSpec(5, 3, padding=1), SceneOptions(theme=theme))
    frame = scene.frame(0)
    assert probe(frame, scene.box("input", (0, 0))) == hex_to_rgb(theme.over(theme.padding))
    assert probe(frame, scene.box("input", (1, 1))) == hex_to_rgb(theme.over(theme.input))
    assert probe(frame, scene.box("input", (6, 6))) == hex_to_rgb(theme.padding)
    assert tuple(frame[2, 2]) == hex_to_rgb(theme.background)


def test_frames_are_deterministic_and_independent_of_order():
    spec = ConvSpec(5, 3, stride=2, padding=1)
    a = ValuesScene(spec)
    first = [a.frame(k) for k in range(len(a))]
    b = ValuesScene(spec)
    for k in reversed(range(len(b))):
        assert np.array_equal(b.frame(k), first[k])


def test_labels_caption_and_vector_output():
    scene = ValuesScene(ConvSpec(5, 3, padding=1), SceneOptions(labels=True, caption=True))
    plain = ValuesScene(ConvSpec(5, 3, padding=1))
    assert scene.size[1] > plain.size[1]  # the caption line
    assert "sum" in scene.describe()
    buf = io.BytesIO()
    scene.save(3, buf, "svg")
    assert b"<svg" in buf.getvalue()[:500]


def test_tap_weights_read_at_full_size():
    # conv-1 of the post: the weight written in each tap cell was about 6 px high; its glyphs must
    # reach about 9 px (the height of the letter w, measured from its outline), the cell labels too.
    panel = ValuesScene(ConvSpec(5, 3)).panel
    assert panel.show_weights
    assert text_extent("$w$", panel.small_pt)[1] * 100 / 72 >= 9
    assert text_extent("$a$", panel.label_pt)[1] * 100 / 72 >= 9
