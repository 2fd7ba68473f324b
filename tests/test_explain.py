"""explain: formulas with numbers, the guide's relationships, the PyTorch layer, labels."""

import random

import pytest

from convanim import ConvSpec
from convanim.explanation import (
    alt_text,
    alternatives,
    caption,
    explain,
    formula,
    input_label,
    output_label,
    pytorch_layer,
    relationship,
    render_text,
)


@pytest.mark.parametrize(
    "spec, expected",
    [
        (ConvSpec(5, 3, stride=2, padding=1), "o = floor((5 + 2*1 - 3) / 2) + 1 = 3"),
        (ConvSpec(4, 3), "o = floor((4 + 2*0 - 3) / 1) + 1 = 2"),
        (ConvSpec(7, 3, dilation=2), "o = floor((7 + 2*0 - 3 - (3-1)*(2-1)) / 1) + 1 = 3"),
        (ConvSpec((6,), 3, stride=2, padding="same"), "o = floor((6 + 0 + 1 - 3) / 2) + 1 = 3"),
        (ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1),
         "o = (3 - 1)*2 - 2*1 + 3 + 1 = 6"),
        (ConvSpec(3, 3, dilation=2, transposed=True), "o = (3 - 1)*1 - 2*0 + 2*(3-1) + 1 = 7"),
    ],
)
def test_formula_with_numbers(spec, expected):
    assert formula(spec, 0) == expected


@pytest.mark.parametrize(
    "spec, start",
    [
        (ConvSpec(4, 3), "no zero padding, unit strides"),
        (ConvSpec(5, 4, padding=2), "zero padding, unit strides"),
        (ConvSpec(5, 3, padding=1), "half (same) padding"),
        (ConvSpec(5, 3, padding=2), "full padding"),
        (ConvSpec(5, 3, stride=2), "no zero padding, non-unit strides"),
        (ConvSpec(5, 3, stride=2, padding=1), "zero padding, non-unit strides"),
        (ConvSpec(7, 3, dilation=2), "dilated"),
        (ConvSpec(2, 3, transposed=True), "transposed, no padding, unit strides"),
        (ConvSpec(5, 3, padding=1, transposed=True), "transposed, half padding"),
        (ConvSpec(7, 3, padding=2, transposed=True), "transposed, full padding"),
        (ConvSpec(6, 4, padding=2, transposed=True), "transposed, zero padding, unit strides"),
        (ConvSpec(2, 3, stride=2, transposed=True), "transposed, no padding, non-unit strides"),
        (ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1),
         "transposed, zero padding, non-unit strides, a = "),
    ],
)
def test_relationship_of_the_guide(spec, start):
    assert relationship(spec, 0).startswith(start)


def test_no_relationship_for_asymmetric_padding():
    assert relationship(ConvSpec(6, 3, stride=2, padding="same"), 0) is None


@pytest.mark.parametrize(
    "spec, expected",
    [
        (ConvSpec(5, 3, stride=2, padding=1), "torch.nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1, bias=False)"),
        (ConvSpec((5, 7), (3, 1), dilation=(2, 1)),
         "torch.nn.Conv2d(1, 1, kernel_size=(3, 1), dilation=(2, 1), bias=False)"),
        (ConvSpec((7,), 4, padding="same"), "torch.nn.Conv1d(1, 1, kernel_size=4, padding='same', bias=False)"),
        (ConvSpec(6, 3, stride=2, padding="same"),
         "torch.nn.Sequential(torch.nn.ZeroPad2d((0, 1, 0, 1)), "
         "torch.nn.Conv2d(1, 1, kernel_size=3, stride=2, bias=False))"),
        (ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1),
         "torch.nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1, bias=False)"),
    ],
)
def test_pytorch_layer(spec, expected):
    assert pytorch_layer(spec) == expected


def test_pytorch_layer_builds_the_same_shapes():
    torch = pytest.importorskip("torch")
    for spec in [
        ConvSpec(5, 3, stride=2, padding=1),
        ConvSpec((9, 6), (3, 2), stride=(2, 3), padding=((0, 1), (2, 0)), dilation=(1, 2)),
        ConvSpec((7,), 4, padding="same"),
        ConvSpec((4, 5, 6), 2, stride=2, padding="same"),
        ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1),
        ConvSpec((4,), 3, stride=3, dilation=2, transposed=True, output_padding=2),
    ]:
        layer = eval(pytorch_layer(spec), {"torch": torch})
        x = torch.zeros((1, 1) + spec.input_size)
        assert tuple(layer(x).shape[2:]) == spec.output_shape, spec


def test_alternatives_list_every_input_with_the_same_output():
    spec = ConvSpec((5,), 3, stride=2, padding=1)
    assert alternatives(spec, 0) == [
        {"input_size": 5, "output_padding": 0},
        {"input_size": 6, "output_padding": 1},
    ]
    # Stride 3: three input sizes give o = 2.
    spec = ConvSpec((6,), 3, stride=3)
    assert [a["input_size"] for a in alternatives(spec, 0)] == [6, 7, 8]
    assert alternatives(ConvSpec((6,), 3), 0) == []


def test_alternatives_recover_through_the_transposed_layer():
    for i in range(5, 12):
        spec = ConvSpec((i,), 3, stride=3, padding=1)
        for alt in alternatives(spec, 0):
            back = ConvSpec(spec.output_shape, 3, stride=3, padding=1, transposed=True,
                            output_padding=alt["output_padding"])
            assert back.output_shape == (alt["input_size"],)


def test_labels_and_caption():
    spec = ConvSpec(5, 3, stride=2, padding=1)
    assert input_label(spec) == "input 5×5, padding 1"
    assert output_label(spec) == "output 3×3"
    assert caption(spec) == "o = floor((5 + 2*1 - 3) / 2) + 1 = 3"
    t = ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1)
    assert caption(t).endswith("(kernel rotated 180°)")
    assert "rotated" not in caption(t, rotated=False)
    assert caption(t, rotated="both").endswith(" = 6 (kernel as it is in the scatter, rotated 180° in the "
                                                "zero-insertion view)")
    assert input_label(t) == "input 3×3, 1 zero between cells, border 1, output padding 1 at the end"
    assert caption(ConvSpec((5, 7), 3)) == (
        "height: o = floor((5 + 2*0 - 3) / 1) + 1 = 3; width: o = floor((7 + 2*0 - 3) / 1) + 1 = 5"
    )


def test_alt_text():
    assert alt_text(ConvSpec(5, 3, stride=2, padding=1)) == (
        "3×3 kernel, stride 2, padding 1 over a 5×5 input, giving 3×3"
    )
    assert alt_text(ConvSpec((5,), 3)) == "3-tap kernel over a 5-cell input, giving 3 cells"
    assert alt_text(ConvSpec(8, 3, dilation=2)) == "3×3 kernel, dilation 2 over an 8×8 input, giving 4×4"


def test_explain_reports_unread_cells_and_leftover():
    info = explain(ConvSpec(6, 3, stride=2))
    assert info["unread_cells"] == 11  # the last row and column of a 6x6 input
    assert info["axes"][0]["unread"] == [5]
    assert info["axes"][0]["leftover"] == 1
    text = render_text(info)
    assert "never read: input index 5" in text
    assert "every axis:" in text


# -- unread cells as counts and ranges, for any size -----------------------------------------------

def _brute_unread(ax):
    """Input indices no (output position, tap) reaches, by walking every pair."""
    read = set()
    for o in range(ax.output_size):
        for j in range(ax.kernel_size):
            q = o * ax.window_stride + j * ax.dilation - ax.lo
            if q % ax.step == 0 and 0 <= q // ax.step < ax.input_size:
                read.add(q // ax.step)
    return [i for i in range(ax.input_size) if i not in read]


def test_unread_count_and_ranges_match_a_brute_force_walk():
    from convanim.schedule import unread_count, unread_ranges

    rng = random.Random(13)
    checked = 0
    while checked < 1500:
        n, k, s, d = rng.randint(1, 40), rng.randint(1, 5), rng.randint(1, 6), rng.randint(1, 4)
        lo, hi = rng.randint(0, 4), rng.randint(0, 4)
        transposed = rng.random() < 0.4
        try:
            if transposed:
                spec = ConvSpec((n,), k, stride=s, dilation=d, padding=lo, transposed=True,
                                output_padding=rng.randint(0, max(s, d) - 1))
            else:
                spec = ConvSpec((n,), k, stride=s, dilation=d, padding=((lo, hi),))
        except ValueError:
            continue
        ax = spec.axes[0]
        expected = _brute_unread(ax)
        assert unread_count(ax) == len(expected), spec
        runs = unread_ranges(ax, limit=1000)
        assert [i for a, z in runs for i in range(a, z + 1)] == expected, spec
        assert len(unread_ranges(ax, limit=2)) <= 2
        checked += 1


def test_unread_cells_refuses_to_list_millions():
    from convanim import unread_cells

    with pytest.raises(ValueError, match=r"998,000,000 input cells are never read, more than the 1,000,000"):
        unread_cells(ConvSpec((1000, 1_000_000), (1, 2), stride=(1, 1000)))


def test_explain_of_huge_sizes_gives_counts_and_ranges():
    info = explain(ConvSpec((10**6,), 2, stride=1000))
    ax = info["axes"][0]
    assert ax["unread_count"] == 998_000 and info["unread_cells"] == 998_000
    assert ax["unread_ranges"][0] == [2, 999] and len(ax["unread_ranges"]) == 10
    assert ax["alternatives_range"] == {"key": "input_size", "first": 999_002, "last": 1_000_001, "count": 1000}
    big = explain(ConvSpec(5, 3, stride=10**18, transposed=True))
    assert big["axes"][0]["alternatives_range"]["count"] == 10**18
    assert len(big["axes"][0]["alternatives"]) == 8
