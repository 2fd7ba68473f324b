"""Two layers side by side: at the same frame (`PairScene`: a standard and a depthwise convolution, say),
or one after the other (`ChainScene`: a depthwise layer, then the pointwise layer reading its output).

Frame ``k`` of a `PairScene` is frame ``k`` of each scene, left and right,
under a header naming each layer (its PyTorch call). Both scenes must have as
many frames, so that frame ``k`` is the same output channel at the same
position in both: "one filter spans every input channel" against "one filter
per channel" in one picture.

>>> from convanim import ConvSpec
>>> from convanim.scene.channels import ChannelScene
>>> standard = ChannelScene(ConvSpec(5, 3, in_channels=2, out_channels=2))
>>> depthwise = ChannelScene(ConvSpec(5, 3, in_channels=2, out_channels=2, groups=2))
>>> len(PairScene(standard, depthwise, ("standard", "depthwise")))
18
>>> pointwise = ChannelScene(ConvSpec(3, 1, in_channels=2, out_channels=3))
>>> len(ChainScene(depthwise, pointwise, ("depthwise", "pointwise")))
45
"""

from __future__ import annotations

import numpy as np
from matplotlib.text import Text

from ..words import count
from .base import Scene, _locked, style

__all__ = ["PairScene", "ChainScene"]

_GAP_PX = 24  # between the two drawings
_HEADER_PX = 16  # the headers' em
_ARROW_GAP_PX = 64  # between the two layers of a chain, with the arrow from one to the other
_WAITING = 0.3  # a layer not yet running: its drawing at this strength over the background


class _TwoScenes(Scene):
    """``left`` and ``right`` side by side, each under its header; subclasses map a frame to theirs."""

    _gap = _GAP_PX

    def __init__(self, left: Scene, right: Scene, headers: tuple[str, str], footer: str = ""):
        self.left, self.right, self.headers = left, right, tuple(headers)
        self.options = left.options
        self.theme = theme = getattr(left, "theme", None) or left.options.theme
        self.free_colours = True  # the scenes' own colours, not the theme's palette alone
        (lw, lh), (rw, rh) = left.size, right.size
        line = round(1.6 * _HEADER_PX)
        width, height = lw + self._gap + rw, line + max(lh, rh) + (line if footer else 0)
        self._at = ((0, line), (lw + self._gap, line))
        with style():
            super().__init__(width, height, theme.background)
            for (x, _), (w, _), header in zip(self._at, (left.size, right.size), headers, strict=True):
                self._text((x + w / 2) / width, 1 - 0.5 * line / height, header)
            if footer:
                self._text(0.5, 0.6 * line / height, footer)
            self._decorate(width, height, line)

    def _text(self, x: float, y: float, text: str) -> None:
        self.fig.add_artist(Text(x, y, text, color=self.theme.text, fontsize=_HEADER_PX * 72 / 100,
                                 ha="center", va="center", transform=self.fig.transFigure))

    def _decorate(self, width: int, height: int, line: int) -> None:
        """Draw anything else static (the chain's arrow)."""

    def _steps(self, k: int) -> tuple[int, int, bool, bool]:
        """(left's frame, right's frame, left waiting, right waiting) for frame ``k``."""
        raise NotImplementedError

    def part_frames(self, k: int) -> list:
        """[(scene, its frame)] shown at frame ``k`` (`convanim.scene.measure.text_sizes` reads their text)."""
        left, right, _, _ = self._steps(self._check(k))
        return [(self.left, left), (self.right, right)]

    def update(self, k: int) -> None:
        left, right, _, _ = self._steps(k)
        self.left.update(left)
        self.right.update(right)

    @_locked
    def frame(self, k: int) -> np.ndarray:
        k = self._check(k)
        if self._background is None:
            self._cache_layers()
        out = np.array(self._background[..., :3])
        background = out[0, 0].astype(float)
        left, right, *waiting = self._steps(k)
        for (x, y), scene, step, wait in zip(self._at, (self.left, self.right), (left, right), waiting,
                                             strict=True):
            pixels = scene.frame(step)
            if wait:
                pixels = np.rint(_WAITING * pixels + (1 - _WAITING) * background).astype(np.uint8)
            out[y:y + pixels.shape[0], x:x + pixels.shape[1]] = pixels
        return out

    def save(self, k: int, file, fmt: str) -> None:
        if fmt != "png":
            raise ValueError(f"two layers in one figure are drawn as raster frames: {fmt} is not available, use png")
        from matplotlib.image import imsave

        imsave(file, self.frame(k), format="png", metadata=self._metadata("png"))

    def save_pdf_pages(self, file) -> None:
        raise ValueError("two layers in one figure are drawn as raster frames: pdf is not available")


class PairScene(_TwoScenes):
    """``left`` and ``right`` (scenes with as many frames, the same theme) side by side, each under its header.

    Drawn as raster frames (GIF, APNG, WebP, MP4, PNG); a single frame as SVG or PDF is refused.
    """

    def __init__(self, left: Scene, right: Scene, headers: tuple[str, str]):
        if len(left) != len(right):
            raise ValueError(f"the two layers drawn side by side must have as many frames, got {len(left)} and "
                             f"{len(right)}")
        super().__init__(left, right, headers)

    def __len__(self) -> int:
        return len(self.left)

    def _steps(self, k: int) -> tuple[int, int, bool, bool]:
        return k, k, False, False

    def describe(self) -> str:
        return f"Side by side: {self.headers[0]}, {self.left.describe()}; {self.headers[1]}, {self.right.describe()}"


class ChainScene(_TwoScenes):
    """``first``, then ``second`` reading its output: ``first``'s frames (``second`` faint, waiting), then
    ``second``'s (``first`` finished), with an arrow from the one to the other.

    Drawn as raster frames, like `PairScene`.
    """

    _gap = _ARROW_GAP_PX

    def __init__(self, first: Scene, second: Scene, headers: tuple[str, str]):
        spec = getattr(first, "spec", None)
        footer = ""
        if spec is not None:
            size = "×".join(map(str, spec.output_shape))
            footer = f"its output ({count(spec.out_channels, 'channel')} of {size}) is the input of the next layer"
        super().__init__(first, second, headers, footer)

    def _decorate(self, width: int, height: int, line: int) -> None:
        from matplotlib.patches import FancyArrowPatch

        x0 = self.left.size[0] + 8
        x1 = x0 + self._gap - 16
        y = 1 - (line + max(self.left.size[1], self.right.size[1]) / 2) / height
        self.fig.add_artist(FancyArrowPatch((x0 / width, y), (x1 / width, y), transform=self.fig.transFigure,
                                            arrowstyle="-|>", mutation_scale=22, lw=2.5, color=self.theme.text))

    def __len__(self) -> int:
        return len(self.left) + len(self.right)

    def _steps(self, k: int) -> tuple[int, int, bool, bool]:
        n = len(self.left)
        return (k, 0, False, True) if k < n else (n - 1, k - n, False, False)

    def describe(self) -> str:
        return (f"First {self.headers[0]}: {self.left.describe()} Then {self.headers[1]}, reading its output: "
                f"{self.right.describe()}")
