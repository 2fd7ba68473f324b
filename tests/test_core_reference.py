"""The core arithmetic against hand-derived tables and an independent numpy reference.

Expected numbers are written literally (derived by hand from Dumoulin & Visin, "A guide to
convolution arithmetic for deep learning", and the conv_arithmetic gallery) or computed by
`reference.py`, which does not use convanim's arithmetic.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convanim import ConvSpec, Step, Tap, cell_kind, cell_source, schedule, unread_cells

sys.path.insert(0, str(Path(__file__).resolve().parent))
ref = importlib.import_module("reference")


# -- Dumoulin & Visin's relationships, hand-derived numbers -------------------------------------------
#
# Each row: (relationship, ConvSpec keyword arguments for a 1-D conv, output size, drawn grid size).

RELATIONSHIPS = [
    # 1. no zero padding, unit strides: o = (i - k) + 1
    ("no_padding_unit_strides", dict(input_size=4, kernel_size=3), 2, 4),
    ("no_padding_unit_strides", dict(input_size=7, kernel_size=1), 7, 7),
    ("no_padding_unit_strides", dict(input_size=6, kernel_size=6), 1, 6),
    ("no_padding_unit_strides", dict(input_size=10, kernel_size=4), 7, 10),
    # 2. zero padding, unit strides: o = (i - k) + 2p + 1
    ("zero_padding_unit_strides", dict(input_size=5, kernel_size=4, padding=2), 6, 9),
    ("zero_padding_unit_strides", dict(input_size=3, kernel_size=5, padding=1), 1, 5),
    ("zero_padding_unit_strides", dict(input_size=6, kernel_size=3, padding=3), 10, 12),
    ("zero_padding_unit_strides", dict(input_size=1, kernel_size=1, padding=2), 5, 5),
    # 3. half (same) padding, k odd, p = floor(k/2): o = i
    ("half_padding", dict(input_size=5, kernel_size=3, padding=1), 5, 7),
    ("half_padding", dict(input_size=7, kernel_size=5, padding=2), 7, 11),
    ("half_padding", dict(input_size=4, kernel_size=7, padding=3), 4, 10),
    ("half_padding", dict(input_size=5, kernel_size=3, padding="same"), 5, 7),
    ("half_padding", dict(input_size=4, kernel_size=4, padding="same"), 4, 7),
    # 4. full padding, p = k - 1: o = i + (k - 1)
    ("full_padding", dict(input_size=5, kernel_size=3, padding=2), 7, 9),
    ("full_padding", dict(input_size=2, kernel_size=4, padding=3), 5, 8),
    ("full_padding", dict(input_size=5, kernel_size=3, padding="full"), 7, 9),
    ("full_padding", dict(input_size=1, kernel_size=5, padding="full"), 5, 9),
    # 5. no zero padding, non-unit strides: o = floor((i - k) / s) + 1
    ("no_padding_strides", dict(input_size=5, kernel_size=3, stride=2), 2, 5),
    ("no_padding_strides", dict(input_size=6, kernel_size=3, stride=2), 2, 6),
    ("no_padding_strides", dict(input_size=7, kernel_size=3, stride=2), 3, 7),
    ("no_padding_strides", dict(input_size=10, kernel_size=4, stride=3), 3, 10),
    ("no_padding_strides", dict(input_size=9, kernel_size=2, stride=4), 2, 9),
    # 6. zero padding, non-unit strides: o = floor((i + 2p - k) / s) + 1
    ("padding_strides", dict(input_size=5, kernel_size=3, stride=2, padding=1), 3, 7),
    ("padding_strides", dict(input_size=6, kernel_size=3, stride=2, padding=1), 3, 8),
    ("padding_strides", dict(input_size=7, kernel_size=4, stride=3, padding=2), 3, 11),
    ("padding_strides", dict(input_size=8, kernel_size=5, stride=2, padding=1), 3, 10),
    # 'same' with strides (TensorFlow's rule): o = ceil(i / s), odd padding cell at the end
    ("same_strides", dict(input_size=7, kernel_size=3, stride=2, padding="same"), 4, 9),
    ("same_strides", dict(input_size=8, kernel_size=3, stride=2, padding="same"), 4, 9),
    ("same_strides", dict(input_size=6, kernel_size=4, stride=3, padding="same"), 2, 7),
    ("same_strides", dict(input_size=5, kernel_size=2, stride=2, dilation=2, padding="same"), 3, 7),
    ("same_strides", dict(input_size=10, kernel_size=1, stride=3, padding="same"), 4, 10),
    # 7. transposed of 1: o' = i' + (k - 1)
    ("transposed_no_padding_unit_strides", dict(input_size=2, kernel_size=3, transposed=True), 4, 6),
    ("transposed_no_padding_unit_strides", dict(input_size=1, kernel_size=4, transposed=True), 4, 7),
    ("transposed_no_padding_unit_strides", dict(input_size=5, kernel_size=2, transposed=True), 6, 7),
    # 8. transposed of 2: o' = i' + (k - 1) - 2p
    (
        "transposed_zero_padding_unit_strides",
        dict(input_size=6, kernel_size=4, padding=2, transposed=True),
        5,
        8,
    ),
    (
        "transposed_zero_padding_unit_strides",
        dict(input_size=4, kernel_size=3, padding=1, transposed=True),
        4,
        6,
    ),
    (
        "transposed_zero_padding_unit_strides",
        dict(input_size=3, kernel_size=5, padding=1, transposed=True),
        5,
        9,
    ),
    # 9. transposed of half padding: o' = i'
    ("transposed_half_padding", dict(input_size=5, kernel_size=3, padding=1, transposed=True), 5, 7),
    ("transposed_half_padding", dict(input_size=6, kernel_size=5, padding=2, transposed=True), 6, 10),
    # 10. transposed of full padding: o' = i' - (k - 1)
    ("transposed_full_padding", dict(input_size=7, kernel_size=3, padding=2, transposed=True), 5, 7),
    ("transposed_full_padding", dict(input_size=5, kernel_size=4, padding=3, transposed=True), 2, 5),
    ("transposed_full_padding", dict(input_size=5, kernel_size=3, padding="full", transposed=True), 3, 5),
    # 11. transposed of 5: o' = s(i' - 1) + k
    ("transposed_no_padding_strides", dict(input_size=2, kernel_size=3, stride=2, transposed=True), 5, 7),
    ("transposed_no_padding_strides", dict(input_size=3, kernel_size=2, stride=3, transposed=True), 8, 9),
    ("transposed_no_padding_strides", dict(input_size=1, kernel_size=4, stride=5, transposed=True), 4, 7),
    # 12. transposed of 6 with (i + 2p - k) % s == 0: o' = s(i' - 1) + k - 2p
    (
        "transposed_padding_strides",
        dict(input_size=3, kernel_size=3, stride=2, padding=1, transposed=True),
        5,
        7,
    ),
    (
        "transposed_padding_strides",
        dict(input_size=3, kernel_size=4, stride=3, padding=2, transposed=True),
        6,
        9,
    ),
    # 13. transposed of 6, any i: o' = s(i' - 1) + a + k - 2p, a = (i + 2p - k) mod s
    (
        "transposed_padding_strides_odd",
        dict(input_size=3, kernel_size=3, stride=2, padding=1, transposed=True, output_padding=1),
        6,
        8,
    ),
    (
        "transposed_padding_strides_odd",
        dict(input_size=3, kernel_size=4, stride=3, padding=2, transposed=True, output_padding=2),
        8,
        11,
    ),
    (
        "transposed_padding_strides_odd",
        dict(input_size=2, kernel_size=3, stride=2, transposed=True, output_padding=1),
        6,
        8,
    ),
    # 15. dilated: o = floor((i + 2p - k - (k - 1)(d - 1)) / s) + 1
    ("dilated", dict(input_size=7, kernel_size=3, dilation=2), 3, 7),
    ("dilated", dict(input_size=8, kernel_size=3, stride=2, padding=1, dilation=3), 2, 10),
    ("dilated", dict(input_size=10, kernel_size=2, stride=3, dilation=4), 2, 10),
    ("dilated", dict(input_size=5, kernel_size=3, padding=2, dilation=2), 5, 9),
    # dilated transposed (PyTorch): o' = (i' - 1)s - 2p + d(k - 1) + a + 1
    ("dilated_transposed", dict(input_size=3, kernel_size=3, dilation=2, transposed=True), 7, 11),
    (
        "dilated_transposed",
        dict(input_size=2, kernel_size=3, stride=2, padding=1, dilation=2, transposed=True),
        5,
        9,
    ),
    (
        "dilated_transposed",
        dict(input_size=3, kernel_size=2, dilation=3, transposed=True, output_padding=2),
        8,
        11,
    ),
]


def _with_axes(kwargs, ndim):
    """The same config on ``ndim`` axes (a tuple input_size, scalars broadcast)."""
    out = dict(kwargs)
    out["input_size"] = (kwargs["input_size"],) * ndim
    return out


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize(
    "name, kwargs, output, grid",
    RELATIONSHIPS,
    ids=[f"{r[0]}-{i}" for i, r in enumerate(RELATIONSHIPS)],
)
def test_relationship(name, kwargs, output, grid, ndim):
    spec = ConvSpec(**_with_axes(kwargs, ndim))
    assert spec.ndim == ndim
    assert spec.output_shape == (output,) * ndim
    assert spec.grid_shape == (grid,) * ndim
    if ndim < 3:  # schedules of 3-D rows are covered by the property tests
        assert len(schedule(spec)) == output**ndim


@pytest.mark.parametrize("name, kwargs, output, grid", RELATIONSHIPS[:12] + RELATIONSHIPS[-5:])
def test_relationship_bare_ints_mean_2d(name, kwargs, output, grid):
    spec = ConvSpec(**kwargs)
    assert spec.ndim == 2
    assert spec.output_shape == (output, output)
    assert spec.grid_shape == (grid, grid)


def test_asymmetric_2d_row():
    spec = ConvSpec((5, 6), (3, 2), stride=(2, 1), padding=((1, 0), (2, 3)), dilation=(1, 2))
    # axis 0: padded 6, extent 3, stride 2 -> floor(3/2)+1 = 2; axis 1: padded 11, extent 3 -> 9
    assert spec.output_shape == (2, 9)
    assert spec.grid_shape == (6, 11)
    assert spec.pads == ((1, 0), (2, 3))
    assert spec.border == ((1, 0), (2, 3))
    assert spec.extent == (3, 3)
    assert spec.leftover == (1, 0)
    assert len(schedule(spec)) == 18


@pytest.mark.parametrize(
    "kwargs, pads",
    [
        (dict(input_size=(7,), kernel_size=3, stride=2, padding="same"), ((1, 1),)),
        (dict(input_size=(8,), kernel_size=3, stride=2, padding="same"), ((0, 1),)),
        (dict(input_size=(6,), kernel_size=4, stride=3, padding="same"), ((0, 1),)),
        (dict(input_size=(4,), kernel_size=4, padding="same"), ((1, 2),)),
        (dict(input_size=(10,), kernel_size=1, stride=3, padding="same"), ((0, 0),)),
        (dict(input_size=(5,), kernel_size=3, dilation=3, padding="same"), ((3, 3),)),
        (dict(input_size=(5, 4), kernel_size=(3, 2), padding="full", dilation=(1, 3)), ((2, 2), (3, 3))),
        (dict(input_size=(5,), kernel_size=3, padding="valid"), ((0, 0),)),
        (dict(input_size=(5,), kernel_size=3, padding="SAME"), ((1, 1),)),
    ],
)
def test_padding_modes_pads(kwargs, pads):
    assert ConvSpec(**kwargs).pads == pads


@pytest.mark.parametrize(
    "kwargs, pads, border",
    [
        (
            dict(input_size=3, kernel_size=3, stride=2, padding=1, transposed=True),
            ((1, 1),) * 2,
            ((1, 1),) * 2,
        ),
        (
            dict(input_size=3, kernel_size=3, stride=2, padding=1, transposed=True, output_padding=1),
            ((1, 1),) * 2,
            ((1, 2),) * 2,
        ),
        (dict(input_size=3, kernel_size=3, dilation=2, transposed=True), ((0, 0),) * 2, ((4, 4),) * 2),
        # padding larger than d*(k-1): the border is negative, the drawn grid is cropped
        (dict(input_size=5, kernel_size=3, padding=3, transposed=True), ((3, 3),) * 2, ((-1, -1),) * 2),
        (dict(input_size=(4,), kernel_size=3, padding="full", transposed=True), ((2, 2),), ((0, 0),)),
    ],
)
def test_transposed_pads_and_border(kwargs, pads, border):
    spec = ConvSpec(**kwargs)
    assert spec.pads == pads
    assert spec.border == border


def test_negative_border_output_is_not_clipped():
    spec = ConvSpec(5, 3, padding=3, transposed=True)
    # (5-1)*1 - 2*3 + (3-1) + 1 = 1
    assert spec.output_shape == (1, 1)
    assert spec.grid_shape == (3, 3)
    (step,) = schedule(spec)
    # out[0] = x[1]w[2] + x[2]w[1] + x[3]w[0] on each axis
    assert [(t.kernel, t.source) for t in step.taps if t.cell[0] == 0] == [
        ((2, 2), (1, 1)),
        ((2, 1), (1, 2)),
        ((2, 0), (1, 3)),
    ]


def test_spec_is_frozen_and_normalised():
    spec = ConvSpec(5, 3, stride=2, padding=((1, 1), (1, 1)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.stride = 1
    # bare ints mean 2-D, scalars broadcast, symmetric pairs equal the int
    assert spec == ConvSpec((5, 5), (3, 3), stride=(2, 2), padding=1)
    assert hash(spec) == hash(ConvSpec((5, 5), (3, 3), stride=(2, 2), padding=1))
    assert spec.input_size == (5, 5)
    assert spec.padding == (1, 1)
    assert ConvSpec((5,), 3).kernel_size == (3,)
    assert ConvSpec(5, (3, 3, 3)).input_size == (5, 5, 5)
    assert dataclasses.replace(spec, padding=0).output_shape == (2, 2)


# -- the 15 animations of the conv_arithmetic gallery --------------------------------------------------

GALLERY = {
    "no_padding_no_strides": (dict(input_size=4, kernel_size=3), 2, 4),
    "arbitrary_padding_no_strides": (dict(input_size=5, kernel_size=4, padding=2), 6, 9),
    "same_padding_no_strides": (dict(input_size=5, kernel_size=3, padding=1), 5, 7),
    "full_padding_no_strides": (dict(input_size=5, kernel_size=3, padding=2), 7, 9),
    "no_padding_strides": (dict(input_size=5, kernel_size=3, stride=2), 2, 5),
    "padding_strides": (dict(input_size=5, kernel_size=3, stride=2, padding=1), 3, 7),
    "padding_strides_odd": (dict(input_size=6, kernel_size=3, stride=2, padding=1), 3, 8),
    "dilation": (dict(input_size=7, kernel_size=3, dilation=2), 3, 7),
    # transposed: input = the conv's output, same k, s, p, output_padding a = (i + 2p - k) mod s
    "no_padding_no_strides_transposed": (dict(input_size=2, kernel_size=3, transposed=True), 4, 6),
    "arbitrary_padding_no_strides_transposed": (
        dict(input_size=6, kernel_size=4, padding=2, transposed=True),
        5,
        8,
    ),
    "same_padding_no_strides_transposed": (
        dict(input_size=5, kernel_size=3, padding=1, transposed=True),
        5,
        7,
    ),
    "full_padding_no_strides_transposed": (
        dict(input_size=7, kernel_size=3, padding=2, transposed=True),
        5,
        7,
    ),
    "no_padding_strides_transposed": (dict(input_size=2, kernel_size=3, stride=2, transposed=True), 5, 7),
    "padding_strides_transposed": (
        dict(input_size=3, kernel_size=3, stride=2, padding=1, transposed=True),
        5,
        7,
    ),
    "padding_strides_odd_transposed": (
        dict(input_size=3, kernel_size=3, stride=2, padding=1, transposed=True, output_padding=1),
        6,
        8,
    ),
}


def test_gallery_has_fifteen_cases():
    assert len(GALLERY) == 15
    assert sum(name.endswith("_transposed") for name in GALLERY) == 7


@pytest.mark.parametrize("name", list(GALLERY))
def test_gallery(name):
    kwargs, output, grid = GALLERY[name]
    spec = ConvSpec(**kwargs)
    assert spec.output_shape == (output, output)
    assert spec.grid_shape == (grid, grid)
    steps = schedule(spec)
    assert len(steps) == output * output  # frames of the animation
    k = kwargs["kernel_size"]
    assert all(len(step.taps) == k * k for step in steps)


def test_gallery_frame_counts_literal():
    frames = {name: len(schedule(ConvSpec(**GALLERY[name][0]))) for name in GALLERY}
    assert frames == {
        "no_padding_no_strides": 4,
        "arbitrary_padding_no_strides": 36,
        "same_padding_no_strides": 25,
        "full_padding_no_strides": 49,
        "no_padding_strides": 4,
        "padding_strides": 9,
        "padding_strides_odd": 9,
        "dilation": 9,
        "no_padding_no_strides_transposed": 16,
        "arbitrary_padding_no_strides_transposed": 25,
        "same_padding_no_strides_transposed": 25,
        "full_padding_no_strides_transposed": 25,
        "no_padding_strides_transposed": 25,
        "padding_strides_transposed": 25,
        "padding_strides_odd_transposed": 36,
    }


# -- hand-checked taps ---------------------------------------------------------------------------------


def test_padding_strides_first_step():
    steps = schedule(ConvSpec(5, 3, stride=2, padding=1))
    first = steps[0]
    assert isinstance(first, Step)
    assert first.index == 0
    assert first.out == (0, 0)
    assert first.taps[0] == Tap(kernel=(0, 0), cell=(0, 0), source=None)
    assert first.taps[4] == Tap(kernel=(1, 1), cell=(1, 1), source=(0, 0))
    assert first.taps[8] == Tap(kernel=(2, 2), cell=(2, 2), source=(1, 1))
    # the whole top row and left column of the window lie on padding
    assert [t.source for t in first.taps] == [None, None, None, None, (0, 0), (0, 1), None, (1, 0), (1, 1)]
    assert first.footprint == ((0, 2), (0, 2))


def test_padding_strides_last_step():
    steps = schedule(ConvSpec(5, 3, stride=2, padding=1))
    last = steps[-1]
    assert last.index == 8
    assert last.out == (2, 2)
    assert last.taps[0] == Tap(kernel=(0, 0), cell=(4, 4), source=(3, 3))
    assert last.taps[4] == Tap(kernel=(1, 1), cell=(5, 5), source=(4, 4))
    assert last.taps[8] == Tap(kernel=(2, 2), cell=(6, 6), source=None)
    assert last.footprint == ((4, 6), (4, 6))


def test_second_step_moves_by_stride_along_last_axis():
    steps = schedule(ConvSpec(5, 3, stride=2, padding=1))
    assert steps[1].out == (0, 1)
    assert [t.cell for t in steps[1].taps[:3]] == [(0, 2), (0, 3), (0, 4)]
    assert steps[3].out == (1, 0)
    assert [t.cell for t in steps[3].taps[:3]] == [(2, 0), (2, 1), (2, 2)]


def test_dilation_taps_skip_cells():
    steps = schedule(ConvSpec(7, 3, dilation=2))
    assert [t.cell for t in steps[0].taps] == [(r, c) for r in (0, 2, 4) for c in (0, 2, 4)]
    assert [t.source for t in steps[4].taps] == [(r, c) for r in (1, 3, 5) for c in (1, 3, 5)]


def test_transposed_kernel_is_rotated_180():
    # no_padding_strides_transposed: 2x2 input, zeros inserted -> 3x3, border 2 -> 7x7
    steps = schedule(ConvSpec(2, 3, stride=2, transposed=True))
    first = steps[0]
    assert first.out == (0, 0)
    # the first window cell reads weight[k-1, k-1] and is on the border
    assert first.taps[0] == Tap(kernel=(2, 2), cell=(0, 0), source=None)
    # the only input cell under the first window is x[0, 0], at grid (2, 2), times weight[0, 0]:
    # scatter definition: out[0] = x[0] * w[0]
    assert [t for t in first.taps if t.source is not None] == [Tap(kernel=(0, 0), cell=(2, 2), source=(0, 0))]
    assert [t.kernel for t in first.taps] == [(r, c) for r in (2, 1, 0) for c in (2, 1, 0)]
    # the centre output out[2, 2] = x[0,0]w[2,2] + x[0,1]w[2,0] + x[1,0]w[0,2] + x[1,1]w[0,0]
    centre = steps[2 * 5 + 2]
    assert centre.out == (2, 2)
    assert sorted((t.kernel, t.source) for t in centre.taps if t.source is not None) == [
        ((0, 0), (1, 1)),
        ((0, 2), (1, 0)),
        ((2, 0), (0, 1)),
        ((2, 2), (0, 0)),
    ]


def test_padding_strides_odd_transposed_taps():
    # grid per axis: 0 border, 1 x0, 2 zero, 3 x1, 4 zero, 5 x2, 6 border, 7 output_padding
    spec = ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1)
    assert [cell_kind(spec, (0, c)) for c in range(8)] == ["padding"] * 8
    assert [cell_kind(spec, (1, c)) for c in range(8)] == [
        "padding",
        "input",
        "zero",
        "input",
        "zero",
        "input",
        "padding",
        "padding",
    ]
    assert [cell_kind(spec, (2, c)) for c in range(1, 6)] == ["zero"] * 5
    assert [cell_source(spec, (5, c)) for c in range(8)] == [
        None,
        (2, 0),
        None,
        (2, 1),
        None,
        (2, 2),
        None,
        None,
    ]
    steps = schedule(spec)
    first, last = steps[0], steps[-1]
    assert first.taps[4] == Tap(kernel=(1, 1), cell=(1, 1), source=(0, 0))  # out[0] = x[0] w[1]
    assert [t for t in first.taps if t.source is not None] == [first.taps[4]]
    assert last.out == (5, 5)
    assert last.taps[0] == Tap(kernel=(2, 2), cell=(5, 5), source=(2, 2))  # out[5] = x[2] w[2]
    assert [t for t in last.taps if t.source is not None] == [last.taps[0]]


def test_dilated_transposed_taps():
    # 1-D, i=3, k=2, d=3, output_padding=2: grid = border 3 + input 3 + border 3 + 2 = 11
    spec = ConvSpec((3,), 2, dilation=3, transposed=True, output_padding=2)
    steps = schedule(spec)
    # scatter: out[n + 3m] += x[n] w[m]; out has 8 cells, the last two get nothing
    expected = {
        0: [((0,), (0,))],
        1: [((0,), (1,))],
        2: [((0,), (2,))],
        3: [((1,), (0,))],
        4: [((1,), (1,))],
        5: [((1,), (2,))],
        6: [],
        7: [],
    }
    for step in steps:
        assert (
            sorted((t.kernel, t.source) for t in step.taps if t.source is not None) == expected[step.out[0]]
        )


# -- unread cells --------------------------------------------------------------------------------------


def test_padding_strides_odd_leaves_last_padding_row_and_column_unread():
    # i=6, k=3, s=2, p=1: the windows start at 0, 2, 4 and cover grid cells 0..6 of 0..7, so the last
    # row and column of the drawn grid (bottom/right padding) are never under the kernel -- but every
    # input cell is read (the last input row is grid row 6).
    spec = ConvSpec(6, 3, stride=2, padding=1)
    assert spec.leftover == (1, 1)
    covered = {tap.cell for step in schedule(spec) for tap in step.taps}
    assert covered == {(r, c) for r in range(7) for c in range(7)}
    assert unread_cells(spec) == []


def test_padding_strides_odd_without_padding_leaves_last_input_row_and_column_unread():
    # i=6, k=3, s=2, p=0: windows start at 0 and 2 and cover input 0..4: row 5 and column 5 are unread
    spec = ConvSpec(6, 3, stride=2)
    assert spec.leftover == (1, 1)
    expected = [(r, 5) for r in range(5)] + [(5, c) for c in range(6)]
    assert unread_cells(spec) == expected


def test_dilation_larger_than_stride_skips_interior_cells():
    # i=5, k=2, d=3, s=1: windows {0, 3} and {1, 4}: cell 2 is never read
    assert unread_cells(ConvSpec((5,), 2, dilation=3)) == [(2,)]
    expected = [(r, c) for r in range(5) for c in range(5) if r == 2 or c == 2]
    assert len(expected) == 9
    assert unread_cells(ConvSpec(5, 2, dilation=3)) == expected
    # i=9, k=2, d=4, s=2: windows {0,4}, {2,6}, {4,8}: odd cells are never read
    assert unread_cells(ConvSpec((9,), 2, stride=2, dilation=4)) == [(1,), (3,), (5,), (7,)]


def test_no_unread_cells_for_same_padding():
    assert unread_cells(ConvSpec(5, 3, padding=1)) == []
    assert unread_cells(ConvSpec((7, 8), 3, stride=2, padding="same")) == []


def test_transposed_cropping_leaves_cells_unread():
    # k=1, p=1: out has (3-1) - 2 + 1 = 1 cell, out[0] = x[1] w[0]; x[0] and x[2] are cropped away
    spec = ConvSpec((3,), 1, padding=1, transposed=True)
    assert spec.output_shape == (1,)
    assert unread_cells(spec) == [(0,), (2,)]


# -- properties against the numpy reference ------------------------------------------------------------


def _check_spec_against_reference(cfg: ref.Config, spec: ConvSpec, rng: np.random.Generator):
    ndim = cfg.ndim
    shape = cfg.expected_shape
    assert spec.ndim == ndim
    assert spec.input_size == cfg.i
    assert spec.kernel_size == cfg.k
    assert spec.stride == cfg.s
    assert spec.dilation == cfg.d
    assert spec.output_padding == cfg.a
    assert spec.output_shape == shape
    assert spec.grid_shape == cfg.expected_grid
    assert spec.pads == cfg.pads
    if cfg.transposed:
        assert spec.border == tuple((lo, lo + a) for lo, a in zip(cfg.lo, cfg.a, strict=True))
    else:
        assert spec.border == cfg.pads
    extent = tuple(dd * (kk - 1) + 1 for kk, dd in zip(cfg.k, cfg.d, strict=True))
    assert spec.extent == extent
    if cfg.transposed:
        assert spec.leftover == (0,) * ndim
    else:
        assert spec.leftover == tuple(
            (g - e) % s for g, e, s in zip(cfg.expected_grid, extent, cfg.s, strict=True)
        )
    if cfg.padding_kind == "same":
        assert shape == tuple(math.ceil(i / s) for i, s in zip(cfg.i, cfg.s, strict=True))

    steps = schedule(spec)
    assert len(steps) == math.prod(shape)
    assert [step.out for step in steps] == list(itertools.product(*(range(n) for n in shape)))
    assert [step.index for step in steps] == list(range(len(steps)))

    all_kernel = list(itertools.product(*(range(k) for k in cfg.k)))
    grid = cfg.expected_grid
    for step in steps:
        assert sorted(t.kernel for t in step.taps) == all_kernel
        cells = [t.cell for t in step.taps]
        assert cells == sorted(cells)  # row-major over grid cells
        assert step.footprint == tuple((min(c), max(c)) for c in zip(*cells, strict=True))
        for tap in step.taps:
            assert all(0 <= c < g for c, g in zip(tap.cell, grid, strict=True))
            for a in range(ndim):
                if cfg.transposed:  # stride 1 over the grid, kernel rotated 180 degrees
                    assert tap.cell[a] == step.out[a] + (cfg.k[a] - 1 - tap.kernel[a]) * cfg.d[a]
                else:
                    assert tap.cell[a] == step.out[a] * cfg.s[a] + tap.kernel[a] * cfg.d[a]
            per_axis = [cfg.axis_source(a, c) for a, c in enumerate(tap.cell)]
            expected = None if None in per_axis else tuple(per_axis)
            assert tap.source == expected
            if tap.source is not None:
                assert all(0 <= q < i for q, i in zip(tap.source, cfg.i, strict=True))

    # grid-wide: cell_source and cell_kind agree with the definitions; input cells are exactly the
    # cells that carry a source
    for cell in itertools.product(*(range(g) for g in grid)):
        kinds = [cfg.axis_kind(a, c) for a, c in enumerate(cell)]
        kind = "padding" if "padding" in kinds else ("zero" if "zero" in kinds else "input")
        assert cell_kind(spec, cell) == kind
        per_axis = [cfg.axis_source(a, c) for a, c in enumerate(cell)]
        source = None if None in per_axis else tuple(per_axis)
        assert cell_source(spec, cell) == source
        assert (kind == "input") == (source is not None)

    assert unread_cells(spec) == cfg.expected_unread()

    x = rng.standard_normal(cfg.i)
    w = rng.standard_normal(cfg.k)
    expected_values = cfg.reference(x, w)
    assert expected_values.shape == shape
    got = ref.reconstruct(spec, x, w)
    assert got.shape == shape
    np.testing.assert_allclose(got, expected_values, rtol=1e-12, atol=1e-12)


def _build(cfg: ref.Config):
    """The spec, or None when ConvSpec refuses it -- which it may only do when a rule says so."""
    if not cfg.valid:
        with pytest.raises(ValueError):
            ConvSpec(**cfg.kwargs)
        return None
    return ConvSpec(**cfg.kwargs)


def budget(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


@budget(600)
@given(cfg=ref.configs(ndim=1), seed=st.integers(0, 2**32 - 1))
def test_property_1d(cfg, seed):
    spec = _build(cfg)
    assume(spec is not None)
    _check_spec_against_reference(cfg, spec, np.random.default_rng(seed))


@budget(600)
@given(cfg=ref.configs(ndim=2), seed=st.integers(0, 2**32 - 1))
def test_property_2d(cfg, seed):
    spec = _build(cfg)
    assume(spec is not None)
    _check_spec_against_reference(cfg, spec, np.random.default_rng(seed))


@budget(250)
@given(cfg=ref.configs(ndim=3), seed=st.integers(0, 2**32 - 1))
def test_property_3d(cfg, seed):
    spec = _build(cfg)
    assume(spec is not None)
    _check_spec_against_reference(cfg, spec, np.random.default_rng(seed))


@budget(400)
@given(cfg=ref.configs(transposed=True), seed=st.integers(0, 2**32 - 1))
def test_property_transposed(cfg, seed):
    spec = _build(cfg)
    assume(spec is not None)
    _check_spec_against_reference(cfg, spec, np.random.default_rng(seed))


@budget(300)
@given(
    cfg=ref.configs(transposed=False, paddings=("pairs", "same")),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_asymmetric_and_same_padding(cfg, seed):
    spec = _build(cfg)
    assume(spec is not None)
    _check_spec_against_reference(cfg, spec, np.random.default_rng(seed))


@budget(500)
@given(
    ndim=st.integers(1, 3),
    i=st.integers(1, 40),
    k=st.integers(1, 9),
    s=st.integers(1, 6),
    d=st.integers(1, 4),
)
def test_property_same_gives_ceil_i_over_s(ndim, i, k, s, d):
    spec = ConvSpec((i,) * ndim, k, stride=s, dilation=d, padding="same")
    assert spec.output_shape == (-(-i // s),) * ndim
    (lo, hi), *_ = spec.pads
    assert hi - lo in (0, 1)  # the odd cell goes at the end
    # the padding is the smallest that lets ceil(i/s) windows fit
    total = lo + hi
    assert (-(-i // s) - 1) * s + d * (k - 1) + 1 <= i + total
    if total > 0:
        assert (-(-i // s) - 1) * s + d * (k - 1) + 1 == i + total


@budget(500)
@given(cfg=ref.configs())
def test_property_spec_accepted_iff_rules_hold(cfg):
    """A config is refused exactly when its output would be empty (no silent clipping either way)."""
    if cfg.valid:
        spec = ConvSpec(**cfg.kwargs)
        assert spec.output_shape == cfg.expected_shape
        assert all(o >= 1 for o in spec.output_shape)
    else:
        with pytest.raises(ValueError, match="spans|leaves the transposed output empty"):
            ConvSpec(**cfg.kwargs)


@budget(400)
@given(data=st.data(), ndim=st.integers(1, 3), transposed=st.booleans())
def test_property_violations_raise(data, ndim, transposed):
    """Configs built to break one rule always raise, with the parameter named in the message."""
    draw = data.draw
    i = tuple(draw(st.integers(1, 8)) for _ in range(ndim))
    kwargs = dict(input_size=i, kernel_size=draw(st.integers(1, 4)), stride=draw(st.integers(1, 3)))
    if transposed:
        kwargs["transposed"] = True
    rule = draw(
        st.sampled_from(
            ["input_size", "kernel_size", "stride", "dilation", "padding", "output_padding", "extent"]
        )
    )
    if rule in ("input_size", "kernel_size", "stride", "dilation"):
        bad = draw(st.integers(-5, 0))
        if draw(st.booleans()):
            kwargs[rule] = bad
        else:
            good = kwargs.get(rule, 1)
            values = list(good if isinstance(good, tuple) else (good,) * ndim)
            values[draw(st.integers(0, ndim - 1))] = bad
            kwargs[rule] = tuple(values)
        message = f"{rule} must be >= 1"
    elif rule == "padding":
        kwargs["padding"] = draw(st.integers(-5, -1))
        message = "padding must be >= 0"
    elif rule == "output_padding":
        s = kwargs["stride"]
        d = draw(st.integers(1, 3))
        kwargs["dilation"] = d
        kwargs["output_padding"] = draw(st.integers(max(s, d), max(s, d) + 3))
        kwargs["transposed"] = True
        message = "output_padding must be smaller than max(stride, dilation)"
    else:
        if transposed:  # padding large enough to crop the whole output on axis 0
            k = kwargs["kernel_size"]
            s = kwargs["stride"]
            # (i-1)*s - 2p + (k-1) + 1 <= 0  <=>  p >= ceil(((i-1)*s + k) / 2)
            needed = ((i[0] - 1) * s + k + 1) // 2 + draw(st.integers(0, 3))
            kwargs["padding"] = (needed,) + (0,) * (ndim - 1)
            message = "leaves the transposed output empty on axis 0"
        else:
            k = list(draw(st.integers(1, 4)) for _ in range(ndim))
            axis = draw(st.integers(0, ndim - 1))
            k[axis] = i[axis] + draw(st.integers(1, 3))
            kwargs["kernel_size"] = tuple(k)
            message = "spans"
    with pytest.raises(ValueError, match=re.escape(message)):
        ConvSpec(**kwargs)
