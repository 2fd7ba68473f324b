"""The README's "Real layers" section: its image is what its command renders, its numbers are the layer's
(by an independent numpy reference, and by torch where it is installed)."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from convanim import ConvSpec
from convanim.animation import OPTIONS
from convanim.cli import build_parser, main, spec_from_args
from convanim.gallery import load_gallery

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The section up to its Pooling subsection (checked by test_pool_render).
SECTION = README.split("## Real layers", 1)[1].split("\n## ", 1)[0].split("\n### Pooling", 1)[0]
sys.path.insert(0, str(Path(__file__).resolve().parent))
ref = importlib.import_module("reference")


def _shown_numbers():
    """The list the README's Python example prints for ``y[:, 0, 0].tolist()``."""
    shown = re.search(r"y\[:, 0, 0\]\.tolist\(\)\s+# (\[[^\]]+\])", SECTION).group(1)
    return eval(shown)  # noqa: S307 - a literal list from our README


def _pairs():
    pattern = r"```sh\n(convanim render [^\n]+)\n```\n\n!\[[^\]]*\]\((gallery/layers/[^)]+\.gif)\)"
    return re.findall(pattern, SECTION)


def test_the_first_image_is_what_the_command_above_it_renders(tmp_path, monkeypatch):
    command, image = _pairs()[0]
    args = command.split()[1:]
    assert args[args.index("-o") + 1] == image
    monkeypatch.chdir(tmp_path)
    (tmp_path / image).parent.mkdir(parents=True)
    assert main(args) == 0
    assert (tmp_path / image).read_bytes() == (ROOT / image).read_bytes()


def test_every_command_is_its_preset_case():
    """Each README image is a case of the layers preset (checked byte for byte by test_gallery), and the
    command above it asks for exactly that case's layer and options."""
    cases = {f"gallery/layers/{c.file}": c for c in load_gallery("layers")[1]}
    pairs = _pairs()
    assert len(pairs) == 2
    for command, image in pairs:
        args = build_parser().parse_args(command.split()[1:])
        case = cases[image]
        assert spec_from_args(args) == ConvSpec(**case.spec)
        for key, value in case.options.items():
            given = getattr(args, key)  # None: not on the command line, animate's default
            if key == "duration_ms":  # the grid and values views' default
                assert (given, value) == (None, 1000)
            else:
                assert (OPTIONS[key] if given is None else given) == value, key
        for key in ("layout", "view", "values", "channel_order"):
            given = getattr(args, key)
            assert (OPTIONS[key] if given is None else given) == case.options.get(key, OPTIONS[key]), key


def test_the_python_example_numbers_are_the_layers():
    # Conv2d(2, 4, 3, groups=2), all-ones weight, bias [0, 1, 2, 3], over arange(50) as 2x5x5
    x = np.arange(50, dtype=np.float64).reshape(2, 5, 5)
    y = ref.conv_layer(x, np.ones((4, 1, 3, 3)), np.array([0.0, 1.0, 2.0, 3.0]), groups=2)
    assert _shown_numbers() == y[:, 0, 0].tolist()
    np.testing.assert_array_equal(_shown_numbers(), [54.0, 55.0, 281.0, 282.0])


@pytest.mark.torch
def test_the_python_example_numbers_are_torchs():
    torch = pytest.importorskip("torch")
    x = torch.arange(50, dtype=torch.float64).reshape(1, 2, 5, 5)
    layer = torch.nn.Conv2d(2, 4, 3, groups=2, bias=True).double()
    with torch.no_grad():
        layer.weight.fill_(1.0)
        layer.bias.copy_(torch.tensor([0.0, 1.0, 2.0, 3.0]))
        expected = layer(x)[0, :, 0, 0].tolist()
    assert _shown_numbers() == expected
    assert sum(p.numel() for p in layer.parameters()) == 40
