"""explain: formulas with numbers, the guide's relationships, the PyTorch layer, labels."""

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
        (ConvSpec(5, 3, stride=2, padding=1), "torch.nn.Conv2d(1, 1, kernel_size=3, stride=2, padding=1)"),
        (ConvSpec((5, 7), (3, 1), dilation=(2, 1)), "torch.nn.Conv2d(1, 1, kernel_size=(3, 1), dilation=(2, 1))"),
        (ConvSpec((7,), 4, padding="same"), "torch.nn.Conv1d(1, 1, kernel_size=4, padding='same')"),
        (ConvSpec(6, 3, stride=2, padding="same"),
         "torch.nn.Sequential(torch.nn.ZeroPad2d((0, 1, 0, 1)), torch.nn.Conv2d(1, 1, kernel_size=3, stride=2))"),
        (ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1),
         "torch.nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, output_padding=1)"),
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
