"""Two layers side by side, at the same frame: a standard and a depthwise convolution, say.

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
"""

from __future__ import annotations

import numpy as np
from matplotlib.text import Text

from .base import Scene, _locked, style

__all__ = ["PairScene"]

_GAP_PX = 24  # between the two drawings
_HEADER_PX = 16  # the headers' em


class PairScene(Scene):
    """``left`` and ``right`` (scenes with as many frames, the same theme) side by side, each under its header.

    Drawn as raster frames (GIF, APNG, WebP, MP4, PNG); a single frame as SVG or PDF is refused.
    """

    def __init__(self, left: Scene, right: Scene, headers: tuple[str, str]):
        if len(left) != len(right):
            raise ValueError(f"the two layers drawn side by side must have as many frames, got {len(left)} and "
                             f"{len(right)}")
        self.left, self.right, self.headers = left, right, tuple(headers)
        self.options = left.options
        self.theme = theme = getattr(left, "theme", None) or left.options.theme
        self.free_colours = True  # the scenes' own colours, not the theme's palette alone
        (lw, lh), (rw, rh) = left.size, right.size
        line = round(1.6 * _HEADER_PX)
        width, height = lw + _GAP_PX + rw, line + max(lh, rh)
        self._at = ((0, line), (lw + _GAP_PX, line))
        with style():
            super().__init__(width, height, theme.background)
            for (x, _), (w, _), header in zip(self._at, (left.size, right.size), headers, strict=True):
                self.fig.add_artist(Text((x + w / 2) / width, 1 - 0.8 * line / height, header, color=theme.text,
                                         fontsize=_HEADER_PX * 72 / 100, ha="center", va="center",
                                         transform=self.fig.transFigure))

    def __len__(self) -> int:
        return len(self.left)

    def update(self, k: int) -> None:
        self.left.update(k)
        self.right.update(k)

    @_locked
    def frame(self, k: int) -> np.ndarray:
        k = self._check(k)
        if self._background is None:
            self._cache_layers()
        out = np.array(self._background[..., :3])
        for (x, y), scene in zip(self._at, (self.left, self.right), strict=True):
            pixels = scene.frame(k)
            out[y:y + pixels.shape[0], x:x + pixels.shape[1]] = pixels
        return out

    def save(self, k: int, file, fmt: str) -> None:
        if fmt != "png":
            raise ValueError(f"two layers side by side are drawn as raster frames: {fmt} is not available, use png")
        from matplotlib.image import imsave

        imsave(file, self.frame(k), format="png", metadata=self._metadata("png"))

    def save_pdf_pages(self, file) -> None:
        raise ValueError("two layers side by side are drawn as raster frames: pdf is not available")

    def describe(self) -> str:
        return f"Side by side: {self.headers[0]}, {self.left.describe()}; {self.headers[1]}, {self.right.describe()}"
