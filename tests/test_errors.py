"""Every bad ConvSpec raises ValueError with one sentence naming the parameter, the rule and the value.

Messages are matched whole (anchored, regex characters escaped).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convanim import ConvSpec

INT_PARAMS = ("input_size", "kernel_size", "stride", "dilation", "padding", "output_padding")


def raises(message: str, **kwargs):
    """Assert ConvSpec(**kwargs) raises ValueError with exactly ``message``; no spec is built."""
    spec = None
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$") as info:
        spec = ConvSpec(**kwargs)
    assert spec is None
    text = str(info.value)
    assert "\n" not in text
    return text


def base(**overrides):
    """A valid config (transposed when output_padding is given) with ``overrides`` applied."""
    kwargs = dict(input_size=5, kernel_size=3)
    if "output_padding" in overrides:
        kwargs.update(stride=2, transposed=True)
    kwargs.update(overrides)
    return kwargs


def test_base_configs_are_valid():
    assert ConvSpec(**base()).output_shape == (3, 3)
    assert ConvSpec(**base(output_padding=1)).output_shape == (12, 12)  # (5-1)*2 + 2 + 1 + 1


# -- non-positive sizes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, -1, -7])
def test_input_size_must_be_positive(value):
    raises(f"input_size must be >= 1, got {value}", input_size=value, kernel_size=1)


def test_input_size_tuple_must_be_positive():
    raises("input_size must be >= 1, got (5, 0)", input_size=(5, 0), kernel_size=1)
    raises("input_size must be >= 1, got (0,)", input_size=(0,), kernel_size=1)


@pytest.mark.parametrize(
    "value, shown", [(0, "0"), (-2, "-2"), ((3, 0), "(3, 0)"), ((1, 1, -1), "(1, 1, -1)")]
)
def test_kernel_size_must_be_positive(value, shown):
    size = (5,) * len(value) if isinstance(value, tuple) else 5
    raises(f"kernel_size must be >= 1, got {shown}", input_size=size, kernel_size=value)


@pytest.mark.parametrize("value, shown", [(0, "0"), (-1, "-1"), ((2, 0), "(2, 0)")])
def test_stride_must_be_positive(value, shown):
    raises(f"stride must be >= 1, got {shown}", **base(stride=value))


@pytest.mark.parametrize("value, shown", [(0, "0"), (-3, "-3"), ((1, 0), "(1, 0)")])
def test_dilation_must_be_positive(value, shown):
    raises(f"dilation must be >= 1, got {shown}", **base(dilation=value))


def test_non_positive_stride_also_rejected_when_transposed():
    raises("stride must be >= 1, got 0", **base(stride=0, transposed=True))


# -- negative padding --------------------------------------------------------------------------------------


def test_negative_padding_int():
    raises("padding must be >= 0, got -1", **base(padding=-1))


def test_negative_padding_tuple():
    raises("padding must be >= 0, got (1, -1)", **base(padding=(1, -1)))


def test_negative_padding_pair():
    raises("padding must be >= 0, got ((0, 1), (-1, 0))", **base(padding=((0, 1), (-1, 0))))
    raises("padding must be >= 0, got ((0, -2),)", input_size=(5,), kernel_size=3, padding=((0, -2),))


def test_negative_padding_transposed():
    raises("padding must be >= 0, got -1", **base(padding=-1, transposed=True))


def test_negative_output_padding():
    raises("output_padding must be >= 0, got -1", **base(output_padding=-1))
    raises("output_padding must be >= 0, got (0, -1)", **base(output_padding=(0, -1)))


# -- padding strings and pairs -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["half", "3", "", "same "])
def test_unknown_padding_string(value):
    raises(
        f"padding must be an int, a tuple, or one of 'valid', 'same', 'full', 'causal', got {value!r}",
        **base(padding=value),
    )


@pytest.mark.parametrize(
    "value, shown",
    [
        (((1, 2, 3), (0, 0)), "((1, 2, 3), (0, 0))"),
        (((1,), (0, 0)), "((1,), (0, 0))"),
        (((), (0, 0)), "((), (0, 0))"),
    ],
)
def test_per_side_pair_of_wrong_length(value, shown):
    raises(f"padding per side must be (before, after) pairs, got {shown}", **base(padding=value))


# -- kernel larger than the padded input ------------------------------------------------------------------


def test_kernel_larger_than_input():
    raises("kernel_size=(5, 5) spans 5x5 cells but the padded input is 4x4", input_size=4, kernel_size=5)


def test_kernel_larger_than_padded_input():
    raises(
        "kernel_size=(6, 6) spans 6x6 cells but the padded input is 5x5",
        input_size=3,
        kernel_size=6,
        padding=1,
    )


def test_kernel_larger_than_input_1d():
    raises("kernel_size=(5,) spans 5 cells but the padded input is 4", input_size=(4,), kernel_size=5)


def test_kernel_larger_than_input_3d_one_axis():
    raises(
        "kernel_size=(2, 2, 4) spans 2x2x4 cells but the padded input is 3x3x3",
        input_size=(3, 3, 3),
        kernel_size=(2, 2, 4),
    )


def test_dilated_kernel_larger_than_input():
    raises(
        "kernel_size=(3, 3) with dilation=(2, 2) spans 5x5 cells but the padded input is 4x4",
        input_size=4,
        kernel_size=3,
        dilation=2,
    )


def test_dilated_kernel_larger_than_padded_input_per_axis():
    raises(
        "kernel_size=(3, 4) with dilation=(1, 2) spans 3x7 cells but the padded input is 4x5",
        input_size=(4, 4),
        kernel_size=(3, 4),
        padding=((0, 0), (0, 1)),
        dilation=(1, 2),
    )
    raises(
        "kernel_size=(3, 3) with dilation=(2, 1) spans 5x3 cells but the padded input is 4x6",
        input_size=(4, 6),
        kernel_size=3,
        dilation=(2, 1),
    )


def test_kernel_exactly_fitting_is_accepted():
    assert ConvSpec(4, 5, padding=((0, 1), (1, 0))).output_shape == (1, 1)
    assert ConvSpec(5, 3, dilation=2).output_shape == (1, 1)


# -- output_padding --------------------------------------------------------------------------------------


def test_output_padding_without_transposed():
    raises(
        "output_padding is only used with transposed=True, got output_padding=(1, 1)",
        input_size=5,
        kernel_size=3,
        stride=2,
        output_padding=1,
    )
    raises(
        "output_padding is only used with transposed=True, got output_padding=(0, 1)",
        input_size=5,
        kernel_size=3,
        output_padding=(0, 1),
    )


def test_zero_output_padding_without_transposed_is_fine():
    assert ConvSpec(5, 3, output_padding=0).output_padding == (0, 0)


@pytest.mark.parametrize(
    "kwargs, shown",
    [
        (
            dict(input_size=3, kernel_size=3, stride=2, transposed=True, output_padding=2),
            "output_padding=(2, 2) with stride=(2, 2) and dilation=(1, 1)",
        ),
        (
            dict(input_size=3, kernel_size=3, transposed=True, output_padding=1),
            "output_padding=(1, 1) with stride=(1, 1) and dilation=(1, 1)",
        ),
        (
            dict(
                input_size=(3, 3),
                kernel_size=3,
                stride=(2, 1),
                dilation=(1, 3),
                transposed=True,
                output_padding=(1, 3),
            ),
            "output_padding=(1, 3) with stride=(2, 1) and dilation=(1, 3)",
        ),
        (
            dict(input_size=(4,), kernel_size=2, stride=3, dilation=2, transposed=True, output_padding=3),
            "output_padding=(3,) with stride=(3,) and dilation=(2,)",
        ),
    ],
)
def test_output_padding_must_be_below_max_stride_dilation(kwargs, shown):
    raises(f"output_padding must be smaller than max(stride, dilation) on every axis, got {shown}", **kwargs)


def test_output_padding_limit_is_max_of_stride_and_dilation():
    # dilation 3 > stride 1 allows output_padding up to 2 (PyTorch's rule)
    assert ConvSpec((3,), 2, dilation=3, transposed=True, output_padding=2).output_shape == (8,)


# -- transposed output empty -------------------------------------------------------------------------------


def test_transposed_output_empty():
    raises(
        "padding=(1, 1) leaves the transposed output empty on axis 0: (1-1)*1 - 2*1 + 1*(1-1) + 0 + 1 = -1",
        input_size=1,
        kernel_size=1,
        padding=1,
        transposed=True,
    )


def test_transposed_output_empty_full_padding():
    raises(
        "padding='full' leaves the transposed output empty on axis 0: (2-1)*1 - 2*2 + 1*(3-1) + 0 + 1 = 0",
        input_size=(2,),
        kernel_size=3,
        padding="full",
        transposed=True,
    )


def test_transposed_output_empty_second_axis():
    raises(
        "padding=(0, 1) leaves the transposed output empty on axis 1: (1-1)*1 - 2*1 + 1*(1-1) + 0 + 1 = -1",
        input_size=(3, 1),
        kernel_size=1,
        padding=(0, 1),
        transposed=True,
    )


def test_transposed_output_empty_with_stride_dilation_output_padding():
    # (2-1)*2 - 2*4 + 2*(2-1) + 1 + 1 = -2
    raises(
        "padding=(4,) leaves the transposed output empty on axis 0: (2-1)*2 - 2*4 + 2*(2-1) + 1 + 1 = -2",
        input_size=(2,),
        kernel_size=2,
        stride=2,
        dilation=2,
        padding=4,
        transposed=True,
        output_padding=1,
    )


def test_transposed_output_of_one_cell_is_accepted():
    # (2-1)*1 - 2*1 + 1*(3-1) + 0 + 1 = 2 and (1-1)*1 - 2*1 + 1*(3-1) + 0 + 1 = 1
    assert ConvSpec((2,), 3, padding=1, transposed=True).output_shape == (2,)
    assert ConvSpec((1,), 3, padding=1, transposed=True).output_shape == (1,)


# -- transposed padding rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["same", "Same", "SAME"])
def test_same_with_transposed(value):
    raises(
        "padding='same' is not supported with transposed=True; give the padding as numbers",
        **base(padding=value, transposed=True),
    )


def test_asymmetric_padding_with_transposed():
    raises(
        "padding must be the same on both sides with transposed=True "
        "(PyTorch's ConvTranspose pads both ends equally), got ((0, 1), (1, 1))",
        **base(padding=((0, 1), (1, 1)), transposed=True),
    )


def test_symmetric_pairs_with_transposed_are_accepted():
    spec = ConvSpec(5, 3, padding=((1, 1), (0, 0)), transposed=True)
    assert spec.pads == ((1, 1), (0, 0))
    assert spec.output_shape == (5, 7)


# -- number of axes ----------------------------------------------------------------------------------------


def test_tuples_of_different_lengths():
    raises(
        "all sizes must have the same number of axes, got "
        "input_size=(5, 5) (2 axes) and kernel_size=(3, 3, 3) (3 axes)",
        input_size=(5, 5),
        kernel_size=(3, 3, 3),
    )


def test_tuples_of_different_lengths_singular_axis():
    raises(
        "all sizes must have the same number of axes, got "
        "input_size=(5,) (1 axis) and kernel_size=(3, 3) (2 axes)",
        input_size=(5,),
        kernel_size=(3, 3),
    )


def test_padding_tuple_of_different_length():
    raises(
        "all sizes must have the same number of axes, got "
        "input_size=(5, 5) (2 axes) and padding=(1, 1, 1) (3 axes)",
        input_size=(5, 5),
        kernel_size=3,
        padding=(1, 1, 1),
    )
    # a 1-D per-side pair must be wrapped: (1, 2) alone means two axes
    raises(
        "all sizes must have the same number of axes, got "
        "input_size=(5,) (1 axis) and padding=(1, 2) (2 axes)",
        input_size=(5,),
        kernel_size=3,
        padding=(1, 2),
    )


def test_three_different_lengths_all_named():
    raises(
        "all sizes must have the same number of axes, got input_size=(5, 5) (2 axes) "
        "and stride=(1, 1, 1) (3 axes) and dilation=(1,) (1 axis)",
        input_size=(5, 5),
        kernel_size=3,
        stride=(1, 1, 1),
        dilation=(1,),
    )


def test_output_padding_tuple_of_different_length():
    raises(
        "all sizes must have the same number of axes, got input_size=(5, 5) (2 axes) "
        "and output_padding=(1,) (1 axis)",
        input_size=(5, 5),
        kernel_size=3,
        stride=2,
        transposed=True,
        output_padding=(1,),
    )


def test_more_than_three_axes():
    raises("input_size must have 1 to 3 axes, got (5, 5, 5, 5)", input_size=(5, 5, 5, 5), kernel_size=1)
    raises("kernel_size must have 1 to 3 axes, got (1, 1, 1, 1)", input_size=5, kernel_size=(1, 1, 1, 1))


def test_empty_tuple():
    raises("input_size must have 1 to 3 axes, got ()", input_size=(), kernel_size=1)
    raises("padding must have 1 to 3 axes, got ()", input_size=5, kernel_size=3, padding=())


# -- non-integers and bools ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", INT_PARAMS)
@pytest.mark.parametrize("value", [1.5, 2.0, "3", True, False, None])
def test_non_integer_parameter(name, value):
    if name == "padding" and isinstance(value, str):
        raises(
            f"padding must be an int, a tuple, or one of 'valid', 'same', 'full', 'causal', got {value!r}",
            **base(padding=value),
        )
        return
    raises(f"{name} must be an integer, got {value!r}", **base(**{name: value}))


@pytest.mark.parametrize("name", INT_PARAMS)
@pytest.mark.parametrize("value", [1.5, "3", True])
def test_non_integer_inside_tuple(name, value):
    good = {"input_size": 5, "kernel_size": 3, "stride": 1, "dilation": 1, "padding": 0, "output_padding": 0}[
        name
    ]
    given = (good, value)
    raises(f"{name} must be an integer, got {given!r}", **base(**{name: given}))


def test_non_integer_inside_padding_pair():
    raises("padding must be an integer, got ((0, True), (0, 0))", **base(padding=((0, True), (0, 0))))
    raises("padding must be an integer, got ((0, 1.5), (0, 0))", **base(padding=((0, 1.5), (0, 0))))


@pytest.mark.parametrize("value", [1, 0, "yes", "True", None, 1.0])
def test_transposed_not_a_bool(value):
    raises(f"transposed must be True or False, got {value!r}", **base(transposed=value))


# -- nothing is silently clipped or converted --------------------------------------------------------------


def test_valid_values_are_kept_exactly():
    spec = ConvSpec((7, 9), (3, 2), stride=(2, 3), padding=((10, 0), (1, 4)), dilation=(1, 4))
    assert spec.input_size == (7, 9)
    assert spec.kernel_size == (3, 2)
    assert spec.stride == (2, 3)
    assert spec.padding == ((10, 0), (1, 4))
    assert spec.dilation == (1, 4)
    assert spec.output_padding == (0, 0)
    # axis 0: floor((7 + 10 - 3) / 2) + 1 = 8; axis 1: floor((9 + 5 - 5) / 3) + 1 = 4
    assert spec.output_shape == (8, 4)


def test_large_padding_is_not_clipped():
    assert ConvSpec(3, 3, padding=10).output_shape == (21, 21)
    assert ConvSpec(3, 3, padding=10).pads == ((10, 10), (10, 10))


@settings(max_examples=300, deadline=None, database=None)
@given(
    name=st.sampled_from(["input_size", "kernel_size", "stride", "dilation", "padding", "output_padding"]),
    bad=st.integers(-50, 0),
    ndim=st.integers(1, 3),
    axis=st.integers(0, 2),
)
def test_property_out_of_range_value_never_yields_a_spec(name, bad, ndim, axis):
    minimum = 0 if name in ("padding", "output_padding") else 1
    if bad >= minimum:
        bad = minimum - 1
    values = [5 if name == "input_size" else (3 if name == "kernel_size" else 1)] * ndim
    values[axis % ndim] = bad
    kwargs = dict(input_size=(5,) * ndim, kernel_size=3, stride=2, transposed=True)
    kwargs[name] = tuple(values)
    with pytest.raises(
        ValueError, match="^" + re.escape(f"{name} must be >= {minimum}, got {tuple(values)!r}") + "$"
    ):
        ConvSpec(**kwargs)


@settings(max_examples=300, deadline=None, database=None)
@given(
    i=st.integers(1, 20),
    k=st.integers(1, 20),
    d=st.integers(1, 5),
    lo=st.integers(0, 5),
    hi=st.integers(0, 5),
)
def test_property_kernel_fit_rule(i, k, d, lo, hi):
    extent = d * (k - 1) + 1
    kwargs = dict(input_size=(i,), kernel_size=k, dilation=d, padding=((lo, hi),))
    if extent > i + lo + hi:
        dilated = f" with dilation=({d},)" if d > 1 else ""
        raises(
            f"kernel_size=({k},){dilated} spans {extent} cells but the padded input is {i + lo + hi}",
            **kwargs,
        )
    else:
        assert ConvSpec(**kwargs).output_shape == (i + lo + hi - extent + 1,)


# -- named limits and options that do nothing (convanim.limits, convanim.animation.APPLIES) -----------

def _animate(**kw):
    from convanim.animation import animate

    return animate(**kw)


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(input_size=5, kernel_size=3, colour="red"), r"unknown option 'colour'; options are layout, view"),
        (dict(input_size=5, kernel_size=3, radius=2.0), r"radius only applies to view continuous"),
        (dict(input_size=5, kernel_size=3, flip=True), r"flip only applies to view 1d"),
        (dict(input_size=5, kernel_size=3, values="random"),
         r"values only applies to view values, 1d, matrix, scatter or both"),
        (dict(input_size=5, kernel_size=3, view="values", seed=3), r"seed only applies with values random"),
        (dict(input_size=(5,), kernel_size=(3,), view="1d", layout="flat"), r"layout only applies to view grid"),
        (dict(view="continuous", input_size=5, kernel_size=3),
         r"spec only applies to view grid, 1d, values, matrix, scatter, both or overlap"),
        (dict(view="continuous", labels=True), r"labels only applies to view grid, 1d, values or matrix"),
        (dict(input_size=200, kernel_size=3), r"the classic layout draws at most 100 cells per axis"),
        (dict(input_size=17, kernel_size=3, view="values"), r"the values view draws at most 16 cells per axis"),
        (dict(input_size=9, kernel_size=8, view="values"), r"writes out sums of at most 49 kernel taps"),
        (dict(input_size=(65,), kernel_size=(3,), view="1d"), r"the 1-D view draws at most 64 cells"),
        (dict(input_size=(30,), kernel_size=(17,), view="1d"), r"sums of at most 16 kernel taps"),
        (dict(input_size=11, kernel_size=3, view="matrix"), r"the matrix view draws at most 100 input cells"),
        (dict(view="continuous", radius=100.0), r"half disc of radius 0.1 to 10 .* got radius 100"),
        (dict(view="continuous", radius=float("nan")), r"radius must be a finite number > 0, got nan"),
        # frames fitted to the default 960x800 px, but cells no smaller than 8 px: more pixels in all than the limit
        (dict(input_size=100, kernel_size=3), r"9,604 frames of about 1,371x1,721 px .* the limit is 10,000,000,000 "
                                              r"pixels in all \(--max-pixels N, max_pixels=N\)"),
        (dict(input_size=30, kernel_size=3, max_frames=100), r"the limit is 100 frames"),
        (dict(input_size=16, kernel_size=3, cell_px=400), r"16,000,000 pixels per frame"),
        (dict(input_size=5, kernel_size=3, max_frames=0), r"max_frames must be an integer >= 1, got 0"),
        (dict(input_size=5, kernel_size=3, duration_ms=10**9), r"duration_ms must be from 10 to 300000"),
        (dict(input_size=5, kernel_size=3, view="values", values="random", seed=-1), r"seed must be an integer from 0"),
        (dict(input_size=5, kernel_size=3, layout=3), r"layout must be one of classic, flat, got 3"),
        (dict(input_size=5, kernel_size=3, theme=[1]), r"theme must be a theme name"),
        (dict(kernel_size=3, view="grid", spec=None, input_size=None), r"input_size"),
    ],
)
def test_animate_refuses_in_one_sentence_before_drawing(kw, message):
    with pytest.raises(ValueError, match=message):
        _animate(**kw)


def test_limits_can_be_raised():
    # refused by default, accepted past the limit (nothing is drawn until a frame is asked for)
    with pytest.raises(ValueError, match="the limit is 100 frames"):
        _animate(input_size=12, kernel_size=1, max_frames=100)
    assert len(_animate(input_size=12, kernel_size=1, max_frames=144)) == 144


def test_cifar_sized_render_is_within_the_default_limits():
    from convanim import ConvSpec
    from convanim.limits import check_render

    frames, (w, h) = check_render(ConvSpec(32, 3))
    assert frames == 900 and abs(w - 1650) <= 4 and abs(h - 2036) <= 4  # the real frame is 1650x2036


def test_estimated_size_matches_the_grid_scenes():
    from convanim import ConvSpec
    from convanim.limits import estimate_size

    for layout, spec in (("classic", ConvSpec(5, 3, stride=2, padding=1)), ("flat", ConvSpec((7, 4), 3, padding=1)),
                         ("flat", ConvSpec((6,), 3))):
        w, h = _animate(spec=spec, layout=layout).size
        ew, eh = estimate_size(spec, "grid", layout)
        assert abs(ew - w) <= 4 and abs(eh - h) <= 4, (layout, spec)


def test_matrix_limit_agrees_with_the_matrix_scene():
    from convanim.limits import VIEW_LIMITS
    from convanim.scene.matrix import MAX_CELLS

    assert VIEW_LIMITS["matrix"]["cells"] == MAX_CELLS


def test_sheet_limit():
    from convanim.limits import check_sheet

    with pytest.raises(ValueError, match=r"a contact sheet shows at most 64 steps \(8 rows of 8\), got 65"):
        check_sheet(65, (100, 100))
    # 8 columns of 1,000 px and 9 gaps of 16; 8 rows of 1,000 + 22 (label) + 16 (gap), and one more gap
    too_big = r"the contact sheet would be 8,144x8,320 px \(67,758,080 pixels\), more than the limit"
    with pytest.raises(ValueError, match=too_big):
        check_sheet(64, (1000, 1000))
    check_sheet(9, (395, 381))


# -- values files of any dtype ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "array, message",
    [
        (np.array([["a"] * 3] * 3), r"input must hold real numbers \(integers or floats\), got dtype <U1"),
        (np.array([[b"a"] * 3] * 3), r"got dtype \|S1"),
        (np.array([[np.datetime64("2020-01-01")] * 3] * 3), r"got dtype datetime64\[D\]"),
        (np.zeros((3, 3), dtype=[("a", "i4")]), r"got dtype \[\('a', '<i4'\)\]"),
        (np.zeros((3, 3), dtype=complex), r"got dtype complex128"),
        (np.full((3, 3), np.nan), r"input must hold finite numbers, got NaN or infinity"),
        (np.full((3, 3), -(2**63), dtype=np.int64), r"magnitude at most 1,000,000"),
        (np.zeros((2, 3)), r"input must have shape \(3, 3\), got \(2, 3\)"),
    ],
)
def test_values_files_of_any_dtype_are_refused_in_one_sentence(tmp_path, array, message):
    from convanim import ConvSpec
    from convanim.values import make_values

    path = tmp_path / "v.npy"
    np.save(path, array)
    with pytest.raises(ValueError, match=message):
        make_values(ConvSpec(3, 2), str(path))


def test_values_files_refuse_pickles_and_garbage(tmp_path):
    from convanim import ConvSpec
    from convanim.values import make_values

    np.save(tmp_path / "o.npy", np.array([[None] * 3] * 3, dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=r"could not be read: Object arrays cannot be loaded"):
        make_values(ConvSpec(3, 2), str(tmp_path / "o.npy"))
    (tmp_path / "j.npz").write_bytes(b"PK garbage")
    with pytest.raises(ValueError, match=r"values file '.*j.npz' could not be read"):
        make_values(ConvSpec(3, 2), str(tmp_path / "j.npz"))
    np.savez(tmp_path / "m.npz", input=np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"must hold arrays 'input' and 'kernel', missing kernel"):
        make_values(ConvSpec(3, 2), str(tmp_path / "m.npz"))
    np.save(tmp_path / "u.npy", np.ones((3, 3), np.uint8))
    assert make_values(ConvSpec(3, 2), str(tmp_path / "u.npy")).x.dtype == np.int64
