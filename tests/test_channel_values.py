"""Numbers in the channel drawing: every one shown is the layer's output, by an independent numpy reference
(tests/reference.py) always and by torch itself where it is installed (those cross-checks are marked torch)."""

from __future__ import annotations

import importlib
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from convanim import ConvSpec, animate
from convanim.layer_values import make_layer_values
from convanim.scene.channel_values import ChannelValuesScene

sys.path.insert(0, str(Path(__file__).resolve().parent))
ref = importlib.import_module("reference")


def reference_output(spec, v):
    """The layer's output by tests/reference.py's loops (no convanim arithmetic but the resolved pads)."""
    b = None if v.b is None else v.b.astype(np.float64)
    return ref.conv_layer(v.x.astype(np.float64), v.w.astype(np.float64), b, stride=spec.stride, pads=spec.pads,
                          padding=tuple(p for p, _ in spec.pads), dilation=spec.dilation,
                          output_padding=spec.output_padding, groups=spec.groups, transposed=spec.transposed)


def torch_output(spec, v):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    torch.set_num_threads(1)
    x = torch.from_numpy(v.x.astype(np.float64))[None]
    w = torch.from_numpy(v.w.astype(np.float64))
    b = None if v.b is None else torch.from_numpy(v.b.astype(np.float64))
    conv = {1: F.conv1d, 2: F.conv2d}[spec.ndim] if not spec.transposed else \
        {1: F.conv_transpose1d, 2: F.conv_transpose2d}[spec.ndim]
    pad = tuple(p for p, _ in spec.pads)
    return conv(x, w, b, stride=spec.stride, padding=pad, groups=spec.groups)[0].numpy()


def random_layer(seed):
    rng = random.Random(seed)
    groups = rng.choice([1, 2])
    spec = ConvSpec(rng.choice([4, 5, (6,)]), 3 if rng.random() < 0.7 else 1, padding=rng.choice([0, 1]),
                    stride=rng.choice([1, 2]), in_channels=groups * rng.randint(1, 2),
                    out_channels=groups * rng.randint(1, 2), groups=groups, bias=rng.random() < 0.6)
    return rng, spec, make_layer_values(spec, "random", seed)


def shown(scene, key):
    return scene.shown_numbers()[key]


def number(v) -> str:
    return str(int(v)).replace("-", "\u2212")


@pytest.mark.parametrize("seed", range(6))
def test_outputs_weights_and_biases_shown_are_the_layers(seed):
    rng, spec, values = random_layer(seed)
    groups = spec.groups
    scene = ChannelValuesScene(spec, values=values)
    y = reference_output(spec, values).reshape(spec.out_channels, -1)
    n = len(scene.steps)
    for k in sorted({0, n - 1, len(scene) - 1, rng.randrange(len(scene))}):
        scene.update(k)
        o, s = k // n, k % n
        # Outputs: channels before o whole, channel o up to position s, each the reference's number.
        expected = [number(y[c, p]) for c in range(spec.out_channels) for p in range(n)
                    if c < o or (c == o and p <= s)]
        assert shown(scene, 'y') == expected
        # Weights: the taps of output channel o's kernel slices, in PyTorch's weight layout (C_out, C_in/g, *k).
        g = o // (spec.out_channels // groups)
        cin_g = spec.in_channels // groups
        taps = scene.steps[s].taps
        expected_w = [f"×{number(values.w[o, j][t.kernel])}" for j in range(cin_g) for t in taps]
        assert shown(scene, 'w') == expected_w, (spec, k, g)
        if spec.bias:
            b = int(values.b[o])
            assert shown(scene, "b") == [number(b)]
            sign = "−" if b < 0 else "+"
            assert scene._node_texts[0].get_text().split(", ")[1].startswith(f"{sign}{abs(b)} → ")


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(6))
def test_the_reference_and_the_values_are_torchs(seed):
    _, spec, values = random_layer(seed)
    expected = torch_output(spec, values)
    np.testing.assert_array_equal(reference_output(spec, values), expected)
    np.testing.assert_array_equal(values.y, expected)


def test_inputs_shown_are_the_input():
    spec = ConvSpec(4, 3, padding=1, in_channels=2, out_channels=2, bias=True)
    values = make_layer_values(spec, "random", 3)
    scene = ChannelValuesScene(spec, values=values)
    scene.update(0)
    assert shown(scene, 'x') == [number(v) for v in values.x.reshape(-1)]


def _transposed_grouped():
    spec = ConvSpec(3, 3, stride=2, padding=1, transposed=True, in_channels=2, out_channels=4, groups=2, bias=True)
    return spec, make_layer_values(spec, "random", 1)


def test_transposed_grouped_values_match_the_reference():
    spec, values = _transposed_grouped()
    expected = reference_output(spec, values)
    np.testing.assert_array_equal(values.y, expected)
    scene = ChannelValuesScene(spec, values=values)
    scene.update(len(scene) - 1)
    assert shown(scene, 'y') == [number(v) for v in expected.reshape(-1)]


@pytest.mark.torch
def test_transposed_grouped_values_match_torch():
    spec, values = _transposed_grouped()
    np.testing.assert_array_equal(values.y, torch_output(spec, values))


def test_the_values_view_of_a_layer_draws_its_numbers():
    anim = animate(ConvSpec(4, 3, in_channels=2, out_channels=2, bias=True), view="values", values="random", seed=2)
    assert isinstance(anim.scene, ChannelValuesScene) and len(anim) == 8


def test_values_from_a_file(tmp_path):
    spec = ConvSpec((5,), 3, in_channels=2, out_channels=2, groups=2, bias=True)
    x = np.arange(10).reshape(2, 5)
    w = np.array([[[1, 0, -1]], [[2, 2, 2]]])
    path = tmp_path / "layer.npz"
    np.savez(path, input=x, weight=w, bias=np.array([5, -5]))
    values = make_layer_values(spec, str(path))
    np.testing.assert_array_equal(values.y, [[-2 + 5] * 3, [2 * (18 + 3 * k) - 5 for k in range(3)]])
    anim = animate(spec, view="values", values=str(path))
    assert len(anim) == 3  # depthwise, one filter per channel: both channels at once (channel_order 'auto')
    assert len(animate(spec, view="values", values=str(path), channel_order="channel")) == 6


@pytest.mark.parametrize(
    "args, message",
    [
        ({"view": "values"},
         "the values view of a layer with channels writes numbers: give values 'random' or a .npz file"),
        ({"view": "values", "values": "nums.txt"},
         "values must be 'symbols', 'random' or a .npy/.npz file, got 'nums.txt'"),
        ({"view": "values", "values": "missing.npz"}, "values file 'missing.npz' does not exist"),
    ],
)
def test_value_errors(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError) as info:
        animate(ConvSpec(5, 3, in_channels=2, out_channels=2, bias=True), **args)
    assert str(info.value) == message


def test_file_errors(tmp_path):
    spec = ConvSpec(5, 3, in_channels=2, out_channels=2, bias=True)
    path = tmp_path / "v.npz"
    np.savez(path, input=np.zeros((2, 5, 5)), weight=np.zeros((2, 2, 3, 3)))
    with pytest.raises(ValueError) as info:
        make_layer_values(spec, str(path))
    assert str(info.value) == f"values file {str(path)!r} must hold arrays input, weight, bias, missing bias"
    np.savez(path, input=np.zeros((2, 4, 4)), weight=np.zeros((2, 2, 3, 3)), bias=np.zeros(2))
    with pytest.raises(ValueError) as info:
        make_layer_values(spec, str(path))
    assert str(info.value) == "values: x must have shape (2, 5, 5), got (2, 4, 4)"
    bad = tmp_path / "bad.npy"
    bad.write_bytes(b"not numpy")
    with pytest.raises(ValueError, match=r"^values file '.*bad.npy' could not be read: "):
        make_layer_values(spec, str(bad))


@pytest.mark.parametrize("spec, order", [
    (ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True), "channel"),
    (ConvSpec(4, 3, in_channels=3, out_channels=2, padding=1, bias=True), "position"),
    (ConvSpec((6,), 3, in_channels=2, out_channels=2), "channel"),
])
def test_sum_node_writes_the_products_sum_the_bias_and_the_output(spec, order):
    """`Σ=1, +1 → 2`: the sum is the layer without its bias (numpy reference), plus the bias, is the output."""
    import re

    from convanim.evaluate import evaluate

    values = make_layer_values(spec, "random", seed=3)
    no_bias = evaluate(spec, values.x, values.w, None)  # (C_out, *output_shape)
    scene = ChannelValuesScene(spec, values=values, order=order)
    n = len(scene.steps)
    for k in range(len(scene)):
        scene.update(k)
        outs, s = scene.frame_content(k)
        written = scene.shown_numbers()["sum"]
        assert len(written) == len(outs)
        for o, text in zip(outs, written, strict=True):
            out = np.unravel_index(s, spec.output_shape)
            number = r"(−?\d+)"
            if spec.bias:
                total, sign, b, y = re.fullmatch(f"Σ={number}, ([+−])(\\d+) → {number}", text).groups()
                b = int(b) * (-1 if sign == "−" else 1)
                assert b == values.b[o]
                assert int(y.replace("−", "-")) == int(values.y[(o, *out)])
                assert int(total.replace("−", "-")) + b == int(y.replace("−", "-"))
            else:
                (total,) = re.fullmatch(f"Σ={number}", text).groups()
            assert int(total.replace("−", "-")) == int(no_bias[(o, *out)]), (k, o)
    assert n


def test_wires_run_behind_the_cells_so_they_strike_no_number():
    """Moving artists are drawn in the order they were registered: the wires come before every cell and
    number, so a wire crossing another cell on its way to the window's edge is hidden by it."""
    scene = animate(ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True), view="values",
                    values="random").scene
    order = scene._moving
    assert order.index(scene._wires) < min(order.index(scene._in_cells), order.index(scene._out_cells))
    assert scene._wires.get_zorder() < min(scene._in_cells.get_zorder(), scene._out_cells.get_zorder())
    before = scene.frame(5)
    scene._wires.set_visible(False)
    without = scene.frame(5)
    scene._wires.set_visible(True)
    # the wire from Σ to output cell (0, 1, 2) passes cells (0, 1, 0) and (0, 1, 1): their pixels do not change
    changed = np.argwhere(np.any(before != without, axis=2))
    assert len(changed)  # the wires are drawn
    for o, r, c in [(0, 1, 0), (0, 1, 1)]:
        (x0, y0), (x1, y1) = scene._outputs[o].cell(r, c).min(0), scene._outputs[o].cell(r, c).max(0)
        box = scene._tr.transform([[x0, y0], [x1, y1]])
        (a, b), (p, q) = np.sort(box[:, 0]), np.sort(scene.size[1] - box[:, 1])
        inside = changed[(changed[:, 1] > a + 2) & (changed[:, 1] < b - 2) & (changed[:, 0] > p + 2)
                         & (changed[:, 0] < q - 2)]
        assert len(inside) == 0, (o, r, c, len(inside))
