"""The receptive field at real sizes: each node's field drawn as a raster on the input, frame by frame back to it.

Where a network's grids are too large to draw cell by cell (VGG-16 or
ResNet-50 at 224x224), every frame is the input plane, a few pixels per
input cell: frame k paints where the cells of one node that reach the chosen
output cell lie on the input (each cell over the input cells it is centred
on, its jump wide), the last frame the receptive field itself. Tones carry
the path structure: at a node read by several paths, a cell reached by all of
them is painted fully and one reached by fewer paler (a residual block's skip
shows as the smaller, darker core); in the effective mode a tone is the
number of paths (a heat map). An optional picture is drawn beneath.

The scene gets plain values (tone rasters over the input, captions, the
picture's pixels); `convanim.netpages` computes them.
"""

from __future__ import annotations

import numpy as np

from ..themes import hex_to_rgb
from .base import Scene, SceneOptions, pixel_axes, style

__all__ = ["RasterScene", "load_picture"]

_DPI = 100
_DEFAULTS = SceneOptions()
_MARGIN = 16
_LINE = 18
_FONT_PX = 13


class RasterScene(Scene):
    """Frames of tone rasters over the input, with up to three caption lines each.

    Parameters
    ----------
    tones : list of float arrays, all of the input's (rows, columns)
        Per frame, 0 (not in the field) to 1 (fully in it), per input cell.
    captions : list of (str, ...)
        Up to three lines per frame.
    picture : uint8 array (rows, columns, 3), optional
        Drawn beneath, dimmed where the frame has no field.
    heat : bool
        Tones are path counts (a heat map from the background to the accent colour through the output colour).
    cell_px : int
        Pixels per input cell.
    """

    frame_ms = 500

    def __init__(self, tones, captions, *, picture=None, heat=False, cell_px=2, options: SceneOptions = _DEFAULTS):
        tones = [np.asarray(t, float) for t in tones]
        if not tones or len({t.shape for t in tones}) != 1 or tones[0].ndim != 2 or len(captions) != len(tones):
            raise ValueError("the raster receptive-field animation needs one 2-D tone raster and one caption "
                             "per frame, all of one size")
        self.tones, self.captions, self.heat, self.options = tones, list(captions), heat, options
        theme = self.theme = options.theme
        rows, cols = tones[0].shape
        self.cell = cell_px
        width = max(cols * cell_px + 2 * _MARGIN, 560)
        top = _MARGIN + 3 * _LINE + 8
        height = top + rows * cell_px + _MARGIN
        width += width % 2
        height += height % 2
        self._x0, self._y0 = (width - cols * cell_px) // 2, top
        bg = np.array(hex_to_rgb(theme.background), float)
        if picture is not None:
            pic = np.asarray(picture, float)[..., :3]
            self._under = pic
            self._dim = 0.35 * pic + 0.65 * bg  # outside the field: the picture, faded
        else:
            self._under = np.array(hex_to_rgb(theme.input), float) * np.ones((rows, cols, 1))
            self._dim = (0.82 * bg + 0.18 * self._under)  # the input plane, pale
        self._accent = np.array(hex_to_rgb(theme.accent), float)
        self._mid = np.array(hex_to_rgb(theme.output), float)
        self._picture = picture is not None
        with style():
            super().__init__(width, height, theme.background, dpi=_DPI)
            ax = pixel_axes(self.fig, width, height)
            extent = (self._x0, self._x0 + cols * cell_px, self._y0 + rows * cell_px, self._y0)
            self.image = self.moving(ax.imshow(self._rgb(0), extent=extent, interpolation="nearest",
                                               aspect="auto", resample=False))
            font = {"family": "DejaVu Sans", "size": _FONT_PX * 72 / _DPI, "color": theme.text}
            self.lines = [self.moving(ax.text(_MARGIN, _MARGIN + (k + 0.5) * _LINE, "", ha="left", va="center",
                                              fontdict=font)) for k in range(3)]

    def _rgb(self, k: int) -> np.ndarray:
        t = np.clip(self.tones[k], 0, 1)[..., None]
        if self.heat:  # background -> output colour -> accent
            low = np.clip(2 * t, 0, 1)
            high = np.clip(2 * t - 1, 0, 1)
            colour = self._mid * (1 - high) + self._accent * high
            inside = self._dim * (1 - low) + colour * low
            rgb = np.where(t > 0, inside if not self._picture else 0.45 * self._under + 0.55 * inside, self._dim)
        else:  # the field in the accent colour, paler where fewer paths reach; the picture shows through
            field = 0.35 * self._accent + 0.65 * self._under if self._picture else \
                self._under * (1 - t) + self._accent * t
            pale = 0.25 * self._accent + 0.75 * self._under if self._picture else field
            rgb = np.where(t >= 1, field, np.where(t > 0, pale if self._picture else field, self._dim))
        return np.round(rgb).astype(np.uint8)

    def __len__(self) -> int:
        return len(self.tones)

    def update(self, k: int) -> None:
        self.image.set_data(self._rgb(k))
        lines = list(self.captions[k]) + ["", "", ""]
        for text, line in zip(self.lines, lines):
            text.set_text(line)

    def describe(self) -> str:
        return f"the receptive field walked back to the input, {len(self)} frames: {self.captions[-1][1]}"


def load_picture(path, size) -> np.ndarray:
    """The picture at ``path`` as uint8 RGB resized to ``size`` (rows, columns) by averaging (or repeating) pixels."""
    from matplotlib import image

    try:
        pixels = np.asarray(image.imread(str(path)))
    except (OSError, ValueError, SyntaxError) as exc:
        raise ValueError(f"--image must be a PNG or JPEG picture, could not read {str(path)!r} ({exc})") from None
    if pixels.dtype != np.uint8:  # PNGs come as floats in 0..1
        pixels = np.round(np.clip(pixels, 0, 1) * 255).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[..., None], 3, axis=2)
    pixels = pixels[..., :3].astype(float)
    rows, cols = size
    edges_r = np.linspace(0, pixels.shape[0], rows + 1)
    edges_c = np.linspace(0, pixels.shape[1], cols + 1)
    r0 = np.minimum(edges_r[:-1].astype(int), pixels.shape[0] - 1)
    r1 = np.maximum(edges_r[1:].astype(int), r0 + 1)
    c0 = np.minimum(edges_c[:-1].astype(int), pixels.shape[1] - 1)
    c1 = np.maximum(edges_c[1:].astype(int), c0 + 1)
    total = pixels.cumsum(0).cumsum(1)
    total = np.pad(total, ((1, 0), (1, 0), (0, 0)))
    area = ((r1 - r0)[:, None] * (c1 - c0)[None, :])[..., None]
    sums = total[r1][:, c1] - total[r0][:, c1] - total[r1][:, c0] + total[r0][:, c0]
    return np.round(sums / area).astype(np.uint8)
