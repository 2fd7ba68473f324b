"""The drawing side: a `Scene` draws the frames of one animation with matplotlib.

The static parts are drawn once; for every frame only the moving artists are
redrawn over a cached background (blitting), and the Agg buffer is copied out.
Nothing else in convanim imports matplotlib.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..themes import THEMES, Theme

__all__ = ["Scene", "SceneOptions", "style", "VECTOR_FORMATS"]

VECTOR_FORMATS = ("svg", "pdf")

# Fixed look on every machine: matplotlib's defaults, its bundled DejaVu fonts,
# text as paths in SVG, embedded TrueType in PDF, no random SVG ids.
_STYLE = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "svg.fonttype": "path",
    "svg.hashsalt": "convanim",
    "pdf.fonttype": 42,
    "savefig.facecolor": "auto",
}

# Metadata that would differ between runs (dates) is left out of vector files.
_METADATA = {
    "svg": {"Date": None, "Creator": "convanim"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "convanim"},
    "png": {"Software": "convanim"},
}


@contextlib.contextmanager
def style():
    """matplotlib's default rcParams plus convanim's fixed fonts, restored on exit."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(_STYLE)
        yield


@dataclass(frozen=True)
class SceneOptions:
    """What every scene accepts. ``cell_px=None`` means the layout's default."""

    theme: Theme = field(default_factory=lambda: THEMES["classic"])
    cell_px: int | None = None
    labels: bool = False
    caption: bool = False


class Scene:
    """Frames of one animation, drawn on one reused matplotlib figure.

    Subclasses build the figure in ``__init__`` (inside `style`), register
    every artist that changes between frames with `moving`, and implement
    `update`, which sets those artists for frame ``k``.
    """

    #: Default time each frame is shown, in milliseconds.
    frame_ms = 1000

    def __init__(self, width_px: int, height_px: int, background: str, dpi: int = 100):
        self.dpi = dpi
        self.fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor=background)
        FigureCanvasAgg(self.fig)
        self._moving: list = []
        self._background = None

    # -- to implement ---------------------------------------------------------

    def __len__(self) -> int:
        raise NotImplementedError

    def update(self, k: int) -> None:
        """Set the moving artists for frame ``k``."""
        raise NotImplementedError

    def describe(self) -> str:
        """One sentence for alt text."""
        return ""

    # -- provided -------------------------------------------------------------

    def moving(self, artist):
        """Mark ``artist`` as redrawn every frame (kept out of the cached background)."""
        artist.set_animated(True)
        self._moving.append(artist)
        return artist

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of a frame in pixels."""
        w, h = self.fig.canvas.get_width_height()
        return int(w), int(h)

    def _check(self, k: int) -> int:
        n = len(self)
        if not -n <= k < n:
            raise ValueError(f"step must be between 0 and {n - 1}, got {k}")
        return k % n

    def frame(self, k: int) -> np.ndarray:
        """Frame ``k`` as a fresh (height, width, 3) uint8 array."""
        k = self._check(k)
        canvas = self.fig.canvas
        if self._background is None:
            with style():
                canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        self.update(k)
        for artist in self._moving:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        # The canvas reuses its buffer: copy it out. Channel by channel is ~5x
        # faster than copying the strided [..., :3] view in one go.
        rgba = np.asarray(canvas.buffer_rgba())
        rgb = np.empty(rgba.shape[:2] + (3,), dtype=np.uint8)
        for c in range(3):
            rgb[..., c] = rgba[..., c]
        return rgb

    def frames(self):
        """Every frame, in order (a generator: one frame in memory at a time)."""
        for k in range(len(self)):
            yield self.frame(k)

    def _static(self):
        """Draw every artist normally (for savefig), then restore blitting."""
        @contextlib.contextmanager
        def cm():
            for artist in self._moving:
                artist.set_animated(False)
            try:
                with style():
                    yield
            finally:
                for artist in self._moving:
                    artist.set_animated(True)
        return cm()

    def save(self, k: int, file, fmt: str) -> None:
        """Write frame ``k`` alone as ``fmt`` ('png', 'svg' or 'pdf') to a path or binary file."""
        k = self._check(k)
        self.update(k)
        with self._static():
            self.fig.savefig(file, format=fmt, dpi=self.dpi, metadata=_METADATA.get(fmt))

    def save_pdf_pages(self, file) -> None:
        """Write every frame as one page of a PDF (a path or binary file)."""
        from matplotlib.backends.backend_pdf import PdfPages

        with self._static(), PdfPages(file, metadata=_METADATA["pdf"]) as pdf:
            for k in range(len(self)):
                self.update(k)
                pdf.savefig(self.fig)
