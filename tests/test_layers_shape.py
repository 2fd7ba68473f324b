"""`convanim shape` for real layers: pytorch_layer with channels, parameters, MACs, --compare-separable.

The checks against PyTorch's own modules are marked torch (skipped, and counted, without it)."""

from __future__ import annotations

import importlib
import json
import math
import random
import sys
from pathlib import Path

import pytest

from convanim import ConvSpec
from convanim.cli import main
from convanim.explanation import explain, pytorch_layer, render_text
from convanim.layers import compare_separable

sys.path.insert(0, str(Path(__file__).resolve().parent))
ref = importlib.import_module("reference")


def _torch():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


def _random_spec(rng: random.Random) -> ConvSpec:
    while True:
        ndim = rng.randint(1, 3)
        groups = rng.choice([1, 2, 3])
        cin, cout = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
        transposed = rng.random() < 0.4
        s = tuple(rng.randint(1, 2) for _ in range(ndim))
        padding = rng.choice([0, 1, "same", "valid", "full", ((0, 1),) * ndim])
        try:
            size, k = tuple(rng.randint(3, 6) for _ in range(ndim)), tuple(rng.randint(1, 3) for _ in range(ndim))
            return ConvSpec(size, k,
                            stride=s, padding=padding, transposed=transposed, in_channels=cin, out_channels=cout,
                            groups=groups, bias=rng.random() < 0.5,
                            output_padding=tuple(rng.randint(0, ss - 1) for ss in s) if transposed else 0)
        except ValueError:
            continue


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel:UserWarning")
def test_pytorch_layer_with_channels_is_the_same_layer_in_torch():
    torch = _torch()
    rng = random.Random(5)
    seen = set()
    for _ in range(120):
        spec = _random_spec(rng)
        text = pytorch_layer(spec)
        layer = eval(text, {"torch": torch})  # noqa: S307 - our own output
        assert sum(p.numel() for p in layer.parameters()) == spec.parameters, text
        conv = layer[-1] if isinstance(layer, torch.nn.Sequential) else layer
        assert tuple(conv.weight.shape) == spec.weight_shape
        assert (conv.bias is not None) == spec.bias
        y = layer(torch.zeros(1, spec.in_channels, *spec.input_size))
        assert tuple(y.shape[1:]) == (spec.out_channels, *spec.output_shape), text
        seen.add(spec.multichannel)
    assert seen == {True, False}


def test_pytorch_layer_strings():
    assert pytorch_layer(ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2)) == \
        "torch.nn.Conv2d(2, 4, kernel_size=3, groups=2, bias=False)"
    assert pytorch_layer(ConvSpec(5, 3, in_channels=3, out_channels=2, bias=True)) == \
        "torch.nn.Conv2d(3, 2, kernel_size=3)"
    assert pytorch_layer(ConvSpec(3, 3, stride=2, transposed=True, in_channels=4, out_channels=2, groups=2)) == \
        "torch.nn.ConvTranspose2d(4, 2, kernel_size=3, stride=2, groups=2, bias=False)"
    # One channel, no bias (a spec's default, not PyTorch's): bias=False is printed too.
    assert pytorch_layer(ConvSpec(5, 3)) == "torch.nn.Conv2d(1, 1, kernel_size=3, bias=False)"


def test_explain_layer_block():
    info = explain(ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2))["layer"]
    assert info["weight_shape"] == [4, 1, 3, 3]
    assert (info["parameters"], info["macs"]) == (36, 324)
    assert info["depthwise"] and not info["pointwise"] and info["kinds"] == ["depthwise"]
    info = explain(ConvSpec(5, 1, in_channels=3, out_channels=2))["layer"]
    assert info["pointwise"] and info["kinds"] == ["pointwise"]
    assert explain(ConvSpec(5, 3, in_channels=4, out_channels=4, groups=2))["layer"]["kinds"] == ["grouped"]


def test_text_names_depthwise_pointwise_and_counts(capsys):
    assert main(["shape", "-i", "5", "-k", "3", "--in-channels", "3", "--out-channels", "3", "--groups", "3"]) == 0
    out = capsys.readouterr().out
    assert "PyTorch: torch.nn.Conv2d(3, 3, kernel_size=3, groups=3, bias=False)" in out
    assert "layer (depthwise): 3 -> 3 channels" in out
    assert "weight 3×1×3×3, no bias: 27 parameters" in out
    assert "243 multiply-adds (MACs) for one input" in out  # 3x3 outputs * 3 channels * 1 * 9
    assert main(["shape", "-i", "5", "-k", "1", "--in-channels", "3", "--out-channels", "2", "--bias"]) == 0
    out = capsys.readouterr().out
    assert "layer (pointwise)" in out and "weight 2×3×1×1 + 2 bias: 8 parameters" in out


def test_one_channel_text_is_unchanged():
    text = render_text(explain(ConvSpec(5, 3, stride=2, padding=1)))
    assert "layer" not in text and "parameters" not in text


SEPARABLE_CASES = [(3, 8, 3, False), (64, 128, 3, True), (16, 16, 5, False), (4, 2, (3, 1), True)]


def test_compare_separable_counts():
    for cin, cout, k, bias in SEPARABLE_CASES:
        spec = ConvSpec(12, k, padding=1, in_channels=cin, out_channels=cout, bias=bias)
        sep = compare_separable(spec)
        kk = math.prod(ref.as_axes(k, 2))
        # Counted here from the definitions: weights (+ one bias per output channel), and output cells
        # (found by sliding, tests/reference.py) x C_out x C_in/groups x kernel cells.
        std, dw, pw = cout * cin * kk + bias * cout, cin * 1 * kk + bias * cin, cout * cin + bias * cout
        cells = math.prod(ref.conv_shape((12, 12), ref.as_axes(k, 2), 1, ((1, 1), (1, 1))))
        assert (sep["standard"]["parameters"], sep["separable"]["parameters"]) == (std, dw + pw)
        assert sep["depthwise"]["macs"] == cells * cin * 1 * kk
        assert sep["pointwise"]["macs"] == cells * cout * cin
        assert sep["standard"]["macs"] == cells * cout * cin * kk
        assert sep["ratio"]["parameters"] == round((dw + pw) / std, 3)


@pytest.mark.torch
def test_compare_separable_counts_against_torch():
    torch = _torch()
    for cin, cout, k, bias in SEPARABLE_CASES:
        spec = ConvSpec(12, k, padding=1, in_channels=cin, out_channels=cout, bias=bias)
        sep = compare_separable(spec)
        std = torch.nn.Conv2d(cin, cout, k, padding=1, bias=bias)
        dw = torch.nn.Conv2d(cin, cin, k, padding=1, groups=cin, bias=bias)
        pw = torch.nn.Conv2d(cin, cout, 1, bias=bias)
        count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
        assert sep["standard"]["parameters"] == count(std)
        assert sep["separable"]["parameters"] == count(dw) + count(pw)
        y = dw(torch.zeros(1, cin, 12, 12))
        kk = math.prod(dw.kernel_size)
        # MACs: output cells x C_out x C_in/groups x kernel cells, counted independently here.
        assert sep["depthwise"]["macs"] == y[0, 0].numel() * cin * 1 * kk
        assert sep["pointwise"]["macs"] == y[0, 0].numel() * cout * cin
        assert sep["standard"]["macs"] == y[0, 0].numel() * cout * cin * kk
        assert sep["ratio"]["parameters"] == round((count(dw) + count(pw)) / count(std), 3)


def test_compare_separable_cli_text_and_json(capsys):
    args = ["shape", "-i", "32", "-k", "3", "-p", "1", "--in-channels", "64", "--out-channels", "128",
            "--compare-separable"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "depthwise-separable replacement:" in out
    assert "torch.nn.Conv2d(64, 64, kernel_size=3, padding=1, groups=64, bias=False)" in out
    assert "separable / standard: 0.119 of the parameters, 0.119 of the MACs" in out
    assert main([*args, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["separable"]["standard"]["parameters"] == 73728
    assert info["separable"]["separable"]["parameters"] == 64 * 9 + 64 * 128
    assert info["layer"]["macs"] == 32 * 32 * 128 * 64 * 9


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--groups", "2", "--in-channels", "2", "--out-channels", "2"],
         "compare-separable starts from a standard convolution (groups=1), got groups=2"),
        (["--transposed"], "compare-separable needs a direct convolution, got transposed=True"),
    ],
)
def test_compare_separable_refusals(extra, message, capsys):
    assert main(["shape", "-i", "5", "-k", "3", "--compare-separable", *extra]) == 2
    assert capsys.readouterr().err.strip() == f"convanim shape: error: {message}"


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--groups", "3", "--in-channels", "4", "--out-channels", "3"], "groups=3 must divide in_channels=4"),
        (["--in-channels", "0"], "in_channels must be >= 1, got 0"),
    ],
)
def test_cli_channel_errors(extra, message, capsys):
    for command in (["shape"], ["render", "-o", "x.gif"]):
        assert main([*command, "-i", "5", "-k", "3", *extra]) == 2
        assert capsys.readouterr().err.strip() == f"convanim {command[0]}: error: {message}"
