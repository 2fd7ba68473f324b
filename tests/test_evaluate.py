"""`evaluate` against an independent numpy reference and (marked torch) torch.nn.functional, over many random
configs."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from convanim import ConvSpec
from convanim.evaluate import default_weight, evaluate

try:  # the cross-checks below are marked torch: skipped (and counted) where torch is not installed
    import torch
except ImportError:
    torch = None
else:
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead on a shared machine


def reference(spec: ConvSpec, x, w, b):
    """Direct loops over PyTorch's definitions, independent of convanim's schedule and axes.

    A convolution pads explicitly and slides; a transposed one scatters every
    input cell times the kernel into a full-size buffer and crops ``padding``
    from the start (and the rest from the end) of each axis.
    """
    ndim, g = spec.ndim, spec.groups
    cin_g, cout_g = spec.in_channels // g, spec.out_channels // g
    k, s, d = spec.kernel_size, spec.stride, spec.dilation
    if spec.transposed:
        p = [pad[0] for pad in spec.pads]
        full = [(i - 1) * ss + dd * (kk - 1) + 1 + a for i, ss, dd, kk, a in
                zip(spec.input_size, s, d, k, spec.output_padding)]
        buf = np.zeros((spec.out_channels, *full))
        for ci in range(spec.in_channels):
            grp = ci // cin_g
            for idx in itertools.product(*(range(n) for n in spec.input_size)):
                for kk in itertools.product(*(range(n) for n in k)):
                    pos = tuple(i * ss + j * dd for i, j, ss, dd in zip(idx, kk, s, d))
                    for oc in range(cout_g):
                        buf[(grp * cout_g + oc, *pos)] += x[(ci, *idx)] * w[(ci, oc, *kk)]
        out_shape = [f - 2 * pp for f, pp in zip(full, p)]
        crop = tuple(slice(pp, pp + o) for pp, o in zip(p, out_shape))
        out = buf[(slice(None), *crop)]
    else:
        padded = np.pad(x, [(0, 0)] + [tuple(pp) for pp in spec.pads])
        out_shape = [(n - dd * (kk - 1) - 1) // ss + 1 for n, kk, ss, dd in zip(padded.shape[1:], k, s, d)]
        out = np.zeros((spec.out_channels, *out_shape))
        for oc in range(spec.out_channels):
            grp = oc // cout_g
            for pos in itertools.product(*(range(n) for n in out_shape)):
                acc = 0.0
                for c in range(cin_g):
                    for kk in itertools.product(*(range(n) for n in k)):
                        at = tuple(q * ss + j * dd for q, j, ss, dd in zip(pos, kk, s, d))
                        acc += padded[(grp * cin_g + c, *at)] * w[(oc, c, *kk)]
                out[(oc, *pos)] = acc
    assert ndim == out.ndim - 1
    if b is not None:
        out = out + b.reshape(-1, *([1] * ndim))
    return out


def torch_out(spec: ConvSpec, x, w, b):
    F = torch.nn.functional
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64))[None]
    wt = torch.from_numpy(np.asarray(w, dtype=np.float64))
    bt = None if b is None else torch.from_numpy(np.asarray(b, dtype=np.float64))
    if spec.transposed:
        conv_t = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[spec.ndim]
        p = tuple(pad[0] for pad in spec.pads)
        y = conv_t(xt, wt, bt, stride=spec.stride, padding=p, output_padding=spec.output_padding,
                   groups=spec.groups, dilation=spec.dilation)
    else:
        conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[spec.ndim]
        order = tuple(v for pair in reversed(spec.pads) for v in pair)
        y = conv(F.pad(xt, order), wt, bt, stride=spec.stride, groups=spec.groups, dilation=spec.dilation)
    return y[0].numpy()


def random_spec(rng: random.Random) -> ConvSpec:
    while True:
        ndim = rng.choice([1, 1, 2, 2, 2, 3])
        groups = rng.choice([1, 1, 2, 3])
        cin = groups * rng.randint(1, 2)
        cout = groups * rng.randint(1, 2)
        if rng.random() < 0.2:  # depthwise
            cin, cout = groups, groups * rng.randint(1, 2)
        transposed = rng.random() < 0.35
        k = tuple(rng.randint(1, 3) for _ in range(ndim))
        s = tuple(rng.randint(1, 3) for _ in range(ndim))
        d = tuple(rng.choice([1, 1, 2]) for _ in range(ndim))
        size = tuple(rng.randint(1, 6 if ndim < 3 else 4) for _ in range(ndim))
        form = rng.choice(["int", "tuple", "sides", "valid", "same", "full"])
        if form == "int":
            padding = rng.randint(0, 2)
        elif form == "tuple":
            padding = tuple(rng.randint(0, 2) for _ in range(ndim))
        elif form == "sides":
            padding = tuple((rng.randint(0, 2), rng.randint(0, 2)) for _ in range(ndim))
        else:
            padding = form
        op = tuple(rng.randint(0, max(ss, dd) - 1) for ss, dd in zip(s, d)) if transposed else 0
        try:
            return ConvSpec(size, k, stride=s, padding=padding, dilation=d, transposed=transposed,
                            output_padding=op, in_channels=cin, out_channels=cout, groups=groups,
                            bias=rng.random() < 0.5)
        except ValueError:
            continue


def _data(spec: ConvSpec, rng: np.random.Generator):
    x = rng.integers(-3, 4, size=(spec.in_channels, *spec.input_size))
    w = rng.integers(-2, 3, size=spec.weight_shape)
    b = rng.integers(-5, 6, size=spec.out_channels) if spec.bias else None
    return x, w, b


@pytest.mark.torch
def test_evaluate_matches_torch_on_many_random_configs():
    rng, nrng = random.Random(2026), np.random.default_rng(1)
    kinds = set()
    for _ in range(1000):
        spec = random_spec(rng)
        x, w, b = _data(spec, nrng)
        got = evaluate(spec, x, w, b)
        assert got.shape == (spec.out_channels, *spec.output_shape)
        assert np.issubdtype(got.dtype, np.integer)  # integer inputs stay exact
        np.testing.assert_array_equal(got, torch_out(spec, x, w, b), err_msg=repr(spec))
        kinds.add((spec.ndim, spec.transposed, spec.groups > 1, spec.depthwise, spec.bias))
    assert len(kinds) > 25  # the random configs really cover the combinations


def test_evaluate_matches_an_independent_numpy_reference():
    rng, nrng = random.Random(7), np.random.default_rng(3)
    for _ in range(150):
        spec = random_spec(rng)
        x, w, b = _data(spec, nrng)
        np.testing.assert_array_equal(evaluate(spec, x, w, b), reference(spec, x, w, b), err_msg=repr(spec))


def _float_layer():
    spec = ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True)
    x = np.random.default_rng(0).normal(size=(2, 5, 5))
    w = np.random.default_rng(1).normal(size=(4, 1, 3, 3))
    return spec, x, w, np.array([0.5, -1.0, 2.0, 0.0])


@pytest.mark.torch
def test_float_inputs_match_torch():
    spec, x, w, b = _float_layer()
    np.testing.assert_allclose(evaluate(spec, x, w, b), torch_out(spec, x, w, b), rtol=1e-12, atol=1e-12)


def test_float_inputs_and_defaults():
    spec, x, w, b = _float_layer()
    np.testing.assert_allclose(evaluate(spec, x, w, b), reference(spec, x, w, b), rtol=1e-12, atol=1e-12)
    # Default weight: all ones; no bias given: none added.
    assert default_weight(spec).shape == (4, 1, 3, 3) and (default_weight(spec) == 1).all()
    ones = evaluate(spec, np.ones((2, 5, 5)))
    assert ones.shape == (4, 3, 3) and (ones == 9).all()
    # Output channels 0 and 1 read input channel 0 only; 2 and 3 input channel 1.
    x = np.stack([np.ones((5, 5)), np.zeros((5, 5))])
    y = evaluate(spec, x)
    assert (y[:2] == 9).all() and (y[2:] == 0).all()


def test_a_layer_reading_only_padding_gives_its_bias():
    spec = ConvSpec((1,), 1, padding=2, stride=5, in_channels=2, out_channels=2, bias=True)
    x, b = np.ones((2, 1)), np.array([1.0, 2.0])
    np.testing.assert_array_equal(evaluate(spec, x, bias=b), reference(spec, x, np.ones(spec.weight_shape), b))
    np.testing.assert_array_equal(evaluate(spec, x, bias=b), [[1.0], [2.0]])


@pytest.mark.torch
def test_a_layer_reading_only_padding_gives_torchs_bias():
    spec = ConvSpec((1,), 1, padding=2, stride=5, in_channels=2, out_channels=2, bias=True)
    x, b = np.ones((2, 1)), np.array([1.0, 2.0])
    np.testing.assert_array_equal(evaluate(spec, x, bias=b), torch_out(spec, x, np.ones(spec.weight_shape), b))


def test_transposed_grouped_weight_layout():
    # ConvTranspose1d(2, 4, 1, groups=2): weight (2, 2, 1); out channel o of group g = x[g] * w[g, o % 2].
    spec = ConvSpec((3,), 1, in_channels=2, out_channels=4, groups=2, transposed=True)
    x = np.array([[1, 2, 3], [10, 20, 30]])
    w = np.array([[[2], [3]], [[5], [7]]])
    expected = np.array([[2, 4, 6], [3, 6, 9], [50, 100, 150], [70, 140, 210]])
    np.testing.assert_array_equal(evaluate(spec, x, w), expected)


@pytest.mark.parametrize(
    "args, message",
    [
        ({"x": np.ones((1, 5, 5))}, "x must have shape (2, 5, 5), got (1, 5, 5)"),
        ({"x": np.ones((2, 5, 5)), "weight": np.ones((4, 2, 3, 3))},
         "weight must have shape (4, 1, 3, 3), got (4, 2, 3, 3)"),
        ({"x": np.ones((2, 5, 5)), "bias": np.ones(3)}, "bias must have shape (4,), got (3,)"),
        ({"x": [["a"]]}, "x must be an array of numbers, got dtype <U1"),
    ],
)
def test_shape_errors_name_expected_and_given(args, message):
    spec = ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True)
    with pytest.raises(ValueError) as info:
        evaluate(spec, **args)
    assert str(info.value) == message


def test_bias_for_a_spec_without_bias_is_refused():
    with pytest.raises(ValueError, match="^bias was given but the spec has bias=False; pass bias=True in the spec$"):
        evaluate(ConvSpec(5, 3), np.ones((1, 5, 5)), bias=np.ones(1))


def test_unknown_spec_type_is_one_sentence():
    with pytest.raises(ValueError) as info:
        evaluate("conv", np.ones((1, 5)))
    assert str(info.value) == "spec must be a ConvSpec or a PoolSpec, got str"
