"""ConvSpec's channel fields: validation, repr, weight shape, parameter and MAC counts, counted here and
(marked torch) against torch's modules."""

from __future__ import annotations

import importlib
import math
import random
import sys
from pathlib import Path

import pytest

from convanim import ConvSpec

sys.path.insert(0, str(Path(__file__).resolve().parent))
ref = importlib.import_module("reference")


def _module(torch, spec: ConvSpec):
    nn = torch.nn
    cls = {
        (1, False): nn.Conv1d, (2, False): nn.Conv2d, (3, False): nn.Conv3d,
        (1, True): nn.ConvTranspose1d, (2, True): nn.ConvTranspose2d, (3, True): nn.ConvTranspose3d,
    }[spec.ndim, spec.transposed]
    return cls(spec.in_channels, spec.out_channels, spec.kernel_size, stride=spec.stride, groups=spec.groups,
               bias=spec.bias)


def _random_spec(rng: random.Random) -> ConvSpec:
    ndim = rng.randint(1, 3)
    groups = rng.choice([1, 1, 2, 3])
    cin = groups * rng.randint(1, 3)
    cout = groups * rng.randint(1, 3)
    transposed = rng.random() < 0.4
    k = tuple(rng.randint(1, 3) for _ in range(ndim))
    s = tuple(rng.randint(1, 2) for _ in range(ndim))
    size = tuple(rng.randint(kk + 1, kk + 4) for kk in k)
    return ConvSpec(size, k, stride=s, transposed=transposed, in_channels=cin, out_channels=cout,
                    groups=groups, bias=rng.random() < 0.5)


def test_defaults_keep_the_one_channel_repr():
    spec = ConvSpec(5, 3, stride=2, padding=1)
    assert repr(spec) == (
        "ConvSpec(input_size=(5, 5), kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), dilation=(1, 1), "
        "transposed=False, output_padding=(0, 0))"
    )
    assert (spec.in_channels, spec.out_channels, spec.groups, spec.bias) == (1, 1, 1, False)
    assert not spec.multichannel


def test_repr_names_non_default_channel_fields_and_round_trips():
    spec = ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True)
    text = repr(spec)
    assert text.endswith("in_channels=2, out_channels=4, groups=2, bias=True)")
    assert eval(text) == spec  # noqa: S307 - our own repr
    assert "in_channels" not in repr(ConvSpec(5, 3, out_channels=3))
    assert spec.multichannel and ConvSpec(5, 3, bias=True).multichannel


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"in_channels": 4, "groups": 3, "out_channels": 3}, "groups=3 must divide in_channels=4"),
        ({"in_channels": 4, "groups": 2, "out_channels": 3}, "groups=2 must divide out_channels=3"),
        ({"in_channels": 0}, "in_channels must be >= 1, got 0"),
        ({"out_channels": -2}, "out_channels must be >= 1, got -2"),
        ({"groups": 0}, "groups must be >= 1, got 0"),
        ({"in_channels": 2.0}, "in_channels must be an integer, got 2.0"),
        ({"groups": "2"}, "groups must be an integer, got '2'"),
        ({"bias": 1}, "bias must be True or False, got 1"),
        ({"in_channels": True}, "in_channels must be an integer, got True"),
    ],
)
def test_channel_errors_are_one_sentence(kwargs, message):
    with pytest.raises(ValueError) as info:
        ConvSpec(5, 3, **kwargs)
    assert str(info.value) == message


def test_weight_shape_parameters_and_macs_on_random_configs():
    rng = random.Random(9)
    for _ in range(300):
        spec = _random_spec(rng)
        g, k = spec.groups, spec.kernel_size
        # PyTorch's layouts: (C_out, C_in/g, *k) for a convolution, (C_in, C_out/g, *k) for a transposed one
        if spec.transposed:
            weight = (spec.in_channels, spec.out_channels // g, *k)
            # every input cell times every weight it scatters, per group
            macs = math.prod(spec.input_size) * spec.in_channels * (spec.out_channels // g) * math.prod(k)
        else:
            weight = (spec.out_channels, spec.in_channels // g, *k)
            cells = math.prod(ref.conv_shape(spec.input_size, k, spec.stride))  # by sliding, no padding
            macs = cells * spec.out_channels * (spec.in_channels // g) * math.prod(k)
        assert spec.weight_shape == weight, spec
        assert spec.parameters == math.prod(weight) + spec.bias * spec.out_channels, spec
        assert spec.macs == macs, spec


@pytest.mark.torch
def test_weight_shape_parameters_and_macs_match_torch_on_random_configs():
    torch = pytest.importorskip("torch")
    rng = random.Random(9)
    for _ in range(300):
        spec = _random_spec(rng)
        module = _module(torch, spec)
        assert spec.weight_shape == tuple(module.weight.shape)
        assert spec.parameters == sum(p.numel() for p in module.parameters())
        g = spec.groups
        per_group_in, per_group_out = spec.in_channels // g, spec.out_channels // g
        # Independent MAC counts: a convolution multiplies every weight of a group with one input
        # window per output cell; a transposed one every input cell with every weight it scatters.
        if spec.transposed:
            x = torch.zeros(spec.in_channels, *spec.input_size)
            expected = x.numel() * per_group_out * math.prod(spec.kernel_size)
        else:
            out = module(torch.zeros(1, spec.in_channels, *spec.input_size))
            expected = out[0, 0].numel() * spec.out_channels * per_group_in * math.prod(spec.kernel_size)
        assert spec.macs == expected


def test_depthwise_and_pointwise():
    assert ConvSpec(5, 3, in_channels=3, out_channels=3, groups=3).depthwise
    assert ConvSpec(5, 3, in_channels=3, out_channels=6, groups=3).depthwise  # channel multiplier 2
    assert not ConvSpec(5, 3, in_channels=4, out_channels=4, groups=2).depthwise
    assert ConvSpec(5, 1, in_channels=3, out_channels=2).pointwise
    assert ConvSpec((5, 5), (1, 1)).pointwise and not ConvSpec(5, (1, 3)).pointwise


def test_known_counts():
    # nn.Conv2d(2, 4, 3, groups=2) over 5x5: weight 4x1x3x3 = 36; output 3x3 -> 9 * 4 * 1 * 9 = 324 MACs.
    spec = ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2)
    assert (spec.weight_shape, spec.parameters, spec.macs) == ((4, 1, 3, 3), 36, 324)
    assert ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True).parameters == 40
    # ConvTranspose2d(4, 6, 3, groups=2) over 3x3: weight 4x3x3x3; 9 inputs * 4 * 3 * 9 = 972 MACs.
    spec = ConvSpec(3, 3, in_channels=4, out_channels=6, groups=2, transposed=True)
    assert (spec.weight_shape, spec.parameters, spec.macs) == ((4, 3, 3, 3), 108, 972)
