"""The README's "Real layers" section: its image is what its command renders, its numbers are torch's."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from convanim.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Real layers", 1)[1].split("\n## ", 1)[0]


def test_the_image_is_what_the_command_next_to_it_renders(tmp_path, monkeypatch):
    command = re.search(r"```sh\n(convanim render [^\n]+)\n```", SECTION).group(1)
    image = re.search(r"!\[[^\]]*\]\((gallery/layers/[^)]+\.gif)\)", SECTION).group(1)
    args = command.split()[1:]
    assert args[args.index("-o") + 1] == image
    monkeypatch.chdir(tmp_path)
    (tmp_path / image).parent.mkdir(parents=True)
    assert main(args) == 0
    assert (tmp_path / image).read_bytes() == (ROOT / image).read_bytes()


def test_the_python_example_numbers_are_torchs():
    x = torch.arange(50, dtype=torch.float64).reshape(1, 2, 5, 5)
    layer = torch.nn.Conv2d(2, 4, 3, groups=2, bias=True).double()
    with torch.no_grad():
        layer.weight.fill_(1.0)
        layer.bias.copy_(torch.tensor([0.0, 1.0, 2.0, 3.0]))
        expected = layer(x)[0, :, 0, 0].tolist()
    shown = re.search(r"y\[:, 0, 0\]\.tolist\(\)\s+# (\[[^\]]+\])", SECTION).group(1)
    assert eval(shown) == expected  # noqa: S307 - a literal list from our README
    assert sum(p.numel() for p in layer.parameters()) == 40
    np.testing.assert_array_equal(expected, [54.0, 55.0, 281.0, 282.0])
