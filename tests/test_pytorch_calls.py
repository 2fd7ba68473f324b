"""Every PyTorch call convanim prints runs in PyTorch and builds the layer drawn.

The calls are those of ``convanim shape``, the gallery and network README
tables, the pages' copy boxes and the receptive-field figure's layer names.
Each is evaluated under torch (``torch`` and ``nn`` in scope, as a reader who
wrote ``import torch; from torch import nn`` would run it); the module it
builds has the spec's parameter count and, with the same weights, gives the
numbers convanim's own arithmetic gives (so the padding, stride, dilation,
groups and bias it was written with are the ones drawn).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from convanim import ConvSpec
from convanim.cli import main
from convanim.evaluate import evaluate
from convanim.explanation import pytorch_layer
from convanim.gallery import load_gallery, make_spec
from convanim.network import NETWORK_PRESETS, load_network
from convanim.pool import PoolSpec, pool_evaluate
from convanim.pytorch import layer_text

ROOT = Path(__file__).resolve().parent.parent
#: Every test here that builds a call is a torch cross-check (skipped, and counted, without torch); the two
#: tests of the calls' text alone run everywhere.
torch_check = pytest.mark.torch
GALLERIES = sorted(p.stem for p in (ROOT / "assets" / "galleries").glob("*.toml"))


def _build(text: str):
    torch = pytest.importorskip("torch")
    try:
        return eval(text, {"torch": torch, "nn": torch.nn})  # noqa: S307 - convanim's own output
    except Exception as exc:  # a call PyTorch refuses: report which
        raise AssertionError(f"{text} does not run in PyTorch: {exc}") from None


def _assert_builds(text: str, spec, *, compute: bool = True) -> None:
    """``text`` evaluated under torch is a module computing what ``spec`` draws (``compute=False``: a module of
    its weight shape and parameters, its output left uncomputed: a layer of a full-size network)."""
    torch = pytest.importorskip("torch")
    module = _build(text).double()
    rng = np.random.default_rng(0)
    if isinstance(spec, PoolSpec):
        x = rng.standard_normal((spec.channels, *spec.input_size))
        want = pool_evaluate(spec, x)
    else:
        x = rng.standard_normal((spec.in_channels, *spec.input_size))
        weight = rng.standard_normal(spec.weight_shape)
        bias = rng.standard_normal(spec.out_channels) if spec.bias else None
        conv = module[-1] if isinstance(module, torch.nn.Sequential) else module
        assert tuple(conv.weight.shape) == spec.weight_shape, text
        assert (conv.bias is not None) == spec.bias, f"{text}: bias {conv.bias is not None}, drawn {spec.bias}"
        assert sum(p.numel() for p in module.parameters()) == spec.parameters, text
        if not compute:
            return
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(weight))
            if spec.bias:
                conv.bias.copy_(torch.from_numpy(bias))
        want = evaluate(spec, x, weight=weight, bias=bias)
    with torch.no_grad():
        got = module(torch.from_numpy(x)[None])[0].numpy()
    assert got.shape == want.shape, f"{text}: output {got.shape}, drawn {want.shape}"
    np.testing.assert_allclose(got, want, atol=1e-9, err_msg=text)


def _gallery_cases():
    for name in GALLERIES:
        _, cases = load_gallery(name)
        for case in cases:
            if case.spec:
                yield pytest.param(case, id=f"{name}-{case.file}")


@torch_check
@pytest.mark.parametrize("case", list(_gallery_cases()))
def test_gallery_table_and_page_calls_build_the_layer_drawn(case):
    spec = make_spec(case.spec)
    text = spec.pytorch_layer if isinstance(spec, PoolSpec) else pytorch_layer(spec)
    _assert_builds(text, spec)


@torch_check
@pytest.mark.parametrize("name", sorted(NETWORK_PRESETS))
def test_network_table_calls_build_each_layer(name):
    net = load_network(name)[1]
    rows = net.summary()["layers"]
    for row, spec, shown in zip(rows, net.layers, net.names):
        assert row["layer"] == shown
        if getattr(spec, "kind", None) in ("conv", "pool"):
            # the numbers are compared where convanim's reference evaluation is quick (not VGG-16 at 224)
            _assert_builds(shown, spec, compute=getattr(spec, "macs", 0) <= 2_000_000 and math.prod(spec.input_size)
                           <= 10_000)
        elif shown.startswith("nn."):  # a pass-through layer (nn.ReLU(), nn.BatchNorm2d(64)): it runs in PyTorch
            _build(shown)


@torch_check
@pytest.mark.parametrize("spec", [
    ConvSpec(5, 3, stride=2, padding=1),
    ConvSpec(8, 2, dilation=2, padding="causal"),
    ConvSpec(16, 2, dilation=8, padding="causal"),
    ConvSpec(6, 3, stride=2, padding="same"),
    ConvSpec((7,), 4, padding="same"),
    ConvSpec((9, 6), (3, 2), stride=(2, 3), padding=((0, 1), (2, 0)), dilation=(1, 2)),
    ConvSpec(3, 3, stride=2, padding=1, transposed=True, output_padding=1),
    ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True),
    ConvSpec((4, 4, 4), 3, padding=1, in_channels=2, out_channels=2),
], ids=lambda s: layer_text(s))
def test_shape_and_layer_text_build_the_layer(spec, capsys):
    _assert_builds(pytorch_layer(spec), spec)
    _assert_builds(layer_text(spec), spec)


def test_shape_prints_bias_false_and_causal_as_a_zero_pad(capsys):
    """The text alone (no torch needed): the flags' layer has no bias; causal padding is a ZeroPad1d."""
    assert main(["shape", "-i", "5", "-k", "3", "-s", "2", "-p", "1"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("PyTorch: "))
    assert line.endswith("bias=False)")
    assert main(["shape", "-i", "16", "-k", "2", "-d", "4", "-p", "causal"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("PyTorch: "))
    assert "causal" not in line and "ZeroPad1d((4, 0))" in line


@torch_check
def test_shape_flags_print_bias_false_and_causal_as_a_zero_pad(capsys):
    assert main(["shape", "-i", "5", "-k", "3", "-s", "2", "-p", "1"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("PyTorch: "))
    assert line.endswith("bias=False)")
    _assert_builds(line.removeprefix("PyTorch: "), ConvSpec(5, 3, stride=2, padding=1))
    assert main(["shape", "-i", "16", "-k", "2", "-d", "4", "-p", "causal"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("PyTorch: "))
    assert "causal" not in line and "ZeroPad1d((4, 0))" in line
    _assert_builds(line.removeprefix("PyTorch: "), ConvSpec(16, 2, dilation=4, padding="causal"))


_CALL = re.compile(r"(?:torch\.)?nn\.[A-Z]\w*\(")


def _calls(text: str):
    """Every ``nn.X(...)`` call in ``text``, with balanced parentheses (outermost only)."""
    pos = 0
    while match := _CALL.search(text, pos):
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        yield text[match.start():end + 1]
        pos = end + 1


def _committed_texts():
    for path in sorted((ROOT / "gallery").rglob("*")):
        if path.suffix in (".md", ".html"):
            yield pytest.param(path, id=str(path.relative_to(ROOT)))
    yield pytest.param(ROOT / "README.md", id="README.md")


def test_no_committed_call_says_causal():
    """The text alone (no torch needed): 'causal' is convanim's flag, never a PyTorch argument."""
    import html

    for param in _committed_texts():
        path = param.values[0]
        text = html.unescape(path.read_text(encoding="utf-8")).replace("<br>", "\n")
        for call in _calls(text):
            assert "causal" not in call, f"{path.name}: {call} is not PyTorch (padding='causal')"


@torch_check
@pytest.mark.parametrize("path", list(_committed_texts()))
def test_every_call_in_committed_pages_runs_in_pytorch(path):
    import html

    text = html.unescape(path.read_text(encoding="utf-8")).replace("<br>", "\n")
    for call in dict.fromkeys(_calls(text)):
        if call.endswith("(...)"):  # prose naming a layer, not a call
            continue
        assert "causal" not in call, f"{path.name}: {call} is not PyTorch (padding='causal')"
        _build(call)
