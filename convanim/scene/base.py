"""The drawing side: a `Scene` draws the frames of one animation with matplotlib.

The static parts are drawn once; for every frame only the moving artists are
redrawn over a cached background (blitting), and the Agg buffer is copied out.
Parts that only grow (an output grid filling up) are drawn once too, into a
second cached layer, and each frame copies the part shown so far.
Nothing else in convanim imports matplotlib.

matplotlib is not thread-safe (global rcParams, mathtext's parser, font
caches), so all of its work is serialised on one process-wide lock,
`MATPLOTLIB_LOCK`: building a scene, each frame, each saved file. Frames from
different threads interleave frame by frame, and the encoding of the frames
runs in parallel.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import re
from dataclasses import dataclass, field

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection, LineCollection
from matplotlib.figure import Figure
from matplotlib.path import Path
from matplotlib.transforms import Affine2D

from ..themes import THEMES, Theme
from .dirty import intersect, moving_box, union
from .measure import DEFAULT_MAX_WIDTH, MIN_TEXT_PX, SCRIPT, WIDTH_RANGE, check_width, fit_width, text_sizes
from .mpl import MATPLOTLIB_LOCK, style

__all__ = ["Scene", "SceneOptions", "style", "boxes_path", "EMPTY", "VECTOR_FORMATS", "MATPLOTLIB_LOCK",
           "text_sizes", "MIN_TEXT_PX", "SCRIPT", "fit_width", "check_width", "DEFAULT_MAX_WIDTH", "WIDTH_RANGE"]

VECTOR_FORMATS = ("svg", "pdf")

# Metadata that would differ between runs (dates) is left out of vector files.
_METADATA = {
    "svg": {"Date": None, "Creator": "convanim"},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": "convanim"},
    "png": {"Software": "convanim"},
}


# Where a credit line goes: SVG's dc:rights and dc:description, PDF's Author and Subject, a PNG text chunk.
_CREDIT_KEYS = {"svg": ("Rights", "Description"), "pdf": ("Author", "Subject"), "png": ("Comment",)}

_CLIP_ID = re.compile(rb'<clipPath id="(p[0-9a-f]{10})">(.*?)</clipPath>', re.S)


def _stable_clip_ids(svg: bytes) -> bytes:
    """``svg`` with every clip path named by a hash of its own outline.

    matplotlib up to 3.8 at least names a clip path by a hash that includes the
    Python object's address, so two runs write different ids; a hash of the
    clipPath element's content is the same in every run and every version.
    """
    names = {}
    for match in _CLIP_ID.finditer(svg):
        digest = hashlib.sha256(b"convanim" + match.group(2)).hexdigest()[:10]
        names[match.group(1)] = b"p" + digest.encode()
    if not names:
        return svg
    return re.sub(rb"\bp[0-9a-f]{10}\b", lambda m: names.get(m.group(0), m.group(0)), svg)


def pixel_axes(fig, width: float, height: float):
    """Axes over the whole of ``fig`` in pixel coordinates, origin top-left, without frame or ticks."""
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    return ax



def _rgb(rgba: np.ndarray) -> np.ndarray:
    """A fresh (height, width, 3) copy of the colour channels of a (height, width, 4) uint8 image.

    Pixel ``i`` is copied as one 4-byte word to byte ``3*i`` of the result, in
    increasing ``i``, so the next pixel overwrites the alpha byte: one strided
    copy, ~3x faster than three channel copies and ~15x faster than copying
    ``rgba[..., :3]`` (a spare byte at the end takes the last alpha).
    """
    h, w, _ = rgba.shape
    out = np.empty(h * w * 3 + 1, np.uint8)
    words = np.ndarray((h * w,), np.uint32, buffer=out, strides=(3,))
    np.copyto(words, np.ascontiguousarray(rgba).view(np.uint32).reshape(-1))
    return out[:-1].reshape(h, w, 3)


def _draw(artist, renderer) -> None:
    """``artist.draw(renderer)``; a plain collection in one renderer call.

    `Collection.draw` is general (units, offsets, hatches, path effects, a
    probe call, a marker fast path): for the few paths that move per frame it
    costs about as much as the drawing itself. With an affine transform and
    without hatches, path effects or sketches it comes down to this call, with
    the same paths, transform, colours, widths and graphics state: the same
    pixels. The shortcut leans on matplotlib internals (`_set_gc_clip`, and
    `get_joinstyle` working while unset, which matplotlib 3.7 does not do): if
    they are absent or behave differently, it is turned off for the process and
    `Collection.draw` is used, which gives the same pixels, only slower.
    """
    global _FAST
    if _FAST and _plain(artist):
        try:
            args = _collection_args(artist)
        except (AttributeError, TypeError, ValueError):
            _FAST = False
        else:
            gc = renderer.new_gc()
            try:
                artist._set_gc_clip(gc)  # as Collection.draw does
                gc.set_snap(artist.get_snap())
                if args[0]:
                    gc.set_joinstyle(args[0])
                if args[1]:
                    gc.set_capstyle(args[1])
                renderer.draw_path_collection(gc, *args[2:])
                return
            except (AttributeError, TypeError):
                _FAST = False  # raised before drawing: nothing drawn, draw the general way below
            finally:
                gc.restore()
    artist.draw(renderer)


_FAST = True  # False once the shortcut of `_draw` has failed: matplotlib differs from the one it was written for


def _plain(artist) -> bool:
    """Whether ``artist`` is a collection that `_draw` may draw in one renderer call."""
    return isinstance(artist, Collection) and hasattr(artist, "_set_gc_clip") and artist.get_transform().is_affine \
        and not (
        artist.get_hatch() or artist.get_path_effects() or artist.get_sketch_params()
        or (isinstance(artist, LineCollection) and artist.get_gapcolor() is not None)
    )


def _collection_args(artist) -> tuple:
    """(joinstyle, capstyle, then the arguments of `draw_path_collection` after the gc) of a plain collection."""
    return (
        artist.get_joinstyle(), artist.get_capstyle(),
        artist.get_transform().get_affine(), artist.get_paths(), artist.get_transforms(),
        artist.get_offsets(), artist.get_offset_transform(), artist.get_facecolor(), artist.get_edgecolor(),
        artist.get_linewidth(), artist.get_linestyle(), artist.get_antialiased(), artist.get_urls(), "screen",
    )


EMPTY = Path(np.zeros((1, 2)))  # draws nothing
_BOX_CODES = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
# Corners of a box (x0, y0, x1, y1) as indices into it: one way round, and the other way for holes.
_BOX_CORNERS = [0, 1, 2, 1, 2, 3, 0, 3, 0, 1]
_HOLE_CORNERS = [0, 1, 0, 3, 2, 3, 2, 1, 0, 1]


def boxes_path(boxes: np.ndarray, holes: np.ndarray | None = None) -> Path:
    """One compound path filling the rectangles ``boxes`` less the rectangles ``holes``.

    Both are float arrays of rows (x0, y0, x1, y1). Overlapping boxes stay
    filled (Agg fills by non-zero winding); holes are wound the other way.
    """
    verts = boxes[:, _BOX_CORNERS]
    if holes is not None:
        verts = np.concatenate([verts, holes[:, _HOLE_CORNERS]])
    return Path(verts.reshape(-1, 2), _box_codes(len(verts))) if len(verts) else EMPTY


@functools.cache
def _box_codes(n: int) -> np.ndarray:
    """Path codes of ``n`` boxes (shared by every path of ``n`` boxes, so read-only)."""
    codes = np.tile(np.array(_BOX_CODES, Path.code_type), n)
    codes.flags.writeable = False
    return codes


@dataclass(frozen=True)
class SceneOptions:
    """What every scene accepts. ``cell_px=None`` means the layout's default.

    ``width``: the width in pixels the figure will be shown at (None: its
    native size); `convanim.animate` picks the cells for it.
    """

    theme: Theme = field(default_factory=lambda: THEMES["classic"])
    cell_px: int | None = None
    labels: bool = False
    caption: bool = False
    width: int | None = None  # issue 18: --width


def _locked(method):
    """``method`` run while holding `MATPLOTLIB_LOCK`."""
    @functools.wraps(method)
    def run(*args, **kwargs):
        with MATPLOTLIB_LOCK:
            return method(*args, **kwargs)
    return run


class _BuiltLocked(type):
    """Scene classes build their figure while holding `MATPLOTLIB_LOCK` (the whole of ``__init__``)."""

    def __call__(cls, *args, **kwargs):
        with MATPLOTLIB_LOCK:
            return super().__call__(*args, **kwargs)


class Scene(metaclass=_BuiltLocked):
    """Frames of one animation, drawn on one reused matplotlib figure.

    Subclasses build the figure in ``__init__`` (inside `style`), register
    every artist that changes between frames with `moving` (or, if it only
    grows, with `revealed`), and implement `update`, which sets those artists
    for frame ``k``.
    """

    #: Default time each frame is shown, in milliseconds.
    frame_ms = 1000
    #: Extra time on the last frame, in milliseconds (a view whose last frame is the result holds it).
    hold_last_ms = 0

    def __init__(self, width_px: int, height_px: int, background: str, dpi: int = 100):
        self.dpi = dpi
        self.fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor=background)
        FigureCanvasAgg(self.fig)
        self._moving: list = []
        self._revealed: dict = {}  # revealed artist -> its boxes in this frame
        self._background = None  # RGBA pixels of the static artists
        self._layer = None  # ... and of the revealed artists drawn whole over them
        self._pixels = None  # frame pixels -> display units, see `show`
        self._clip_paths: dict = {}  # boxes -> their clip path, see `show`
        self._painted = None  # the `patches` pass whose frame the canvas holds (None: unknown)

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

    def glyph_text(self, text, px: float | None = None) -> None:
        """Note a text drawn as glyph outlines, ``px`` pixels of em, for `text_sizes`.

        ``text`` may instead be a callable giving (text, px) as the frame shows
        it, or None while it is hidden (a label that changes from frame to frame).
        """
        if not hasattr(self, "_glyph_texts"):
            self._glyph_texts = []
        self._glyph_texts.append(text if callable(text) else (text, float(px)))

    def moving(self, artist):
        """Mark ``artist`` as redrawn every frame (kept out of the cached background)."""
        artist.set_animated(True)
        self._moving.append(artist)
        return artist

    def revealed(self, artist):
        """Mark ``artist`` as shown, frame by frame, only inside the boxes `show` gives it.

        For what grows from frame to frame (the output cells written so far):
        frames do not draw it but copy those boxes from one cached render of
        the whole artist, so it costs a copy of what is shown. Revealed artists
        lie over the static ones and under the moving ones, and do not overlap
        each other. `save` draws them clipped to their boxes.
        """
        artist.set_animated(True)
        self._revealed[artist] = []
        return artist

    def show(self, artist, boxes) -> None:
        """Show the revealed ``artist`` only inside ``boxes`` (for `update`).

        ``boxes`` are rows of (x0, y0, x1, y1) in whole frame pixels, from the
        top-left corner, as `frame` returns them.
        """
        boxes = [tuple(int(v) for v in box) for box in boxes]
        self._revealed[artist] = boxes
        artist.set_visible(bool(boxes))
        if boxes:
            if self._pixels is None:  # frame pixels -> display units at the figure's dpi (also in SVG, PDF)
                flip = Affine2D().scale(1, -1).translate(0, self.size[1]).scale(1 / self.dpi)
                self._pixels = flip + self.fig.dpi_scale_trans
            key = tuple(boxes)
            if key not in self._clip_paths:
                # Kept alive: Agg knows its last clip path by the address of its vertices, and a new
                # path at a freed address would be clipped with the old path's cached mask.
                self._clip_paths[key] = boxes_path(np.array(boxes, float))
            artist.set_clip_path(self._clip_paths[key], self._pixels)

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

    @_locked
    def frame(self, k: int) -> np.ndarray:
        """Frame ``k`` as a fresh (height, width, 3) uint8 array."""
        k = self._check(k)
        canvas = self.fig.canvas
        if self._background is None:
            self._cache_layers()
        self._painted = None
        buffer = np.asarray(canvas.buffer_rgba())  # the canvas's own pixels, written in place
        buffer[...] = self._background
        self.update(k)
        for boxes in self._revealed.values():
            for x0, y0, x1, y1 in boxes:
                buffer[y0:y1, x0:x1] = self._layer[y0:y1, x0:x1]
        renderer = canvas.get_renderer()
        for artist in self._moving:
            if artist.get_visible():
                _draw(artist, renderer)
        # The canvas reuses its buffer: copy it out.
        return _rgb(buffer)

    def _cache_layers(self) -> None:
        """Draw the static artists, then the revealed ones whole over them, keeping the pixels of each."""
        canvas = self.fig.canvas
        self._painted = None
        with style():
            canvas.draw()
            self._background = np.asarray(canvas.buffer_rgba()).copy()
            if not self._revealed:
                return
            renderer = canvas.get_renderer()
            for artist in self._revealed:
                clip, visible = artist.get_clip_path(), artist.get_visible()
                artist.set_clip_path(None)
                artist.set_visible(True)
                _draw(artist, renderer)
                artist.set_clip_path(clip)
                artist.set_visible(visible)
            self._layer = np.asarray(canvas.buffer_rgba()).copy()

    def frames(self):
        """Every frame, in order (a generator: one frame in memory at a time).

        Each call starts a new pass, so the bound method ``scene.frames`` is a
        re-iterable frame source for the encoder (rendered again per pass).
        """
        for k in range(len(self)):
            yield self.frame(k)

    def patched(self) -> bool:
        """Whether `patches` draws this scene's frames (False where a subclass draws its frames its own way)."""
        return type(self).frame is Scene.frame

    def patches(self):
        """Every frame, in order, as what changed since the previous one (a generator, like `frames`).

        Yields ``(box, pixels)``: first ``((slice(None), slice(None)), frame)``,
        then a box of two slices (rows, columns) holding every pixel that
        differs from the previous frame and the frame's ``(h, w, 3)`` pixels in
        it, or None for a frame with nothing redrawn. The same pixels as
        `frame`, at the cost of what moves: only where the moving artists
        were is the background put back, only the revealed boxes that changed
        or were under them are copied, and only the box is copied out (a
        sliding kernel on a large grid changes a few percent of the frame).
        Where the moving artists lie is read from their window extents,
        widened by their line widths (`convanim.scene.dirty`).
        """
        state: dict = {}  # this pass's: the moving box and revealed boxes of the frame drawn last
        for k in range(len(self)):
            yield self._patch(k, state)

    @_locked
    def _patch(self, k: int, state: dict):
        canvas = self.fig.canvas
        if self._background is None:
            self._cache_layers()
        renderer = canvas.get_renderer()
        buffer = np.asarray(canvas.buffer_rgba())
        width, height = self.size
        before = dict(state.get("revealed", {}))
        self.update(k)
        now = {artist: set(boxes) for artist, boxes in self._revealed.items()}
        gone = [box for artist, boxes in before.items() for box in boxes - now.get(artist, set())]
        new = [box for artist, boxes in now.items() for box in boxes - before.get(artist, set())]
        ours = state and self._painted is state["token"] and state["renderer"] is renderer
        if ours:  # the canvas holds this pass's previous frame: put back what it drew over
            restore = union([state["moving"], *gone])
            if restore is not None:
                x0, y0, x1, y1 = restore
                buffer[y0:y1, x0:x1] = self._background[y0:y1, x0:x1]
            for boxes in now.values():
                for box in boxes:
                    part = box if box in new else intersect(box, restore)
                    if part is not None:
                        x0, y0, x1, y1 = part
                        buffer[y0:y1, x0:x1] = self._layer[y0:y1, x0:x1]
        else:
            buffer[...] = self._background
            for boxes in now.values():
                for x0, y0, x1, y1 in boxes:
                    buffer[y0:y1, x0:x1] = self._layer[y0:y1, x0:x1]
        for artist in self._moving:
            if artist.get_visible():
                _draw(artist, renderer)
        moving = moving_box(self._moving, renderer, width, height, self.dpi)
        first = "token" not in state
        changed = union([state.get("moving"), moving, *gone, *new])
        state.update(token=state.get("token") or object(), renderer=renderer, moving=moving, revealed=now)
        self._painted = state["token"]
        if first:
            return (slice(None), slice(None)), _rgb(buffer)
        if changed is None:
            return None
        x0, y0, x1, y1 = changed
        return (slice(y0, y1), slice(x0, x1)), _rgb(buffer[y0:y1, x0:x1])

    def _static(self):
        """Draw every artist normally (for savefig), then restore blitting."""
        @contextlib.contextmanager
        def cm():
            for artist in [*self._revealed, *self._moving]:
                artist.set_animated(False)
            try:
                with style():
                    yield
            finally:
                for artist in [*self._revealed, *self._moving]:
                    artist.set_animated(True)
        return cm()

    #: A credit line for the files' metadata (see `convanim.animate`'s ``credit``), or ``None``.
    credit = None

    def _metadata(self, fmt: str) -> dict | None:
        """The metadata matplotlib writes into a ``fmt`` file: fixed, plus the credit line if any."""
        meta = _METADATA.get(fmt)
        if self.credit and fmt in _CREDIT_KEYS:
            meta = {**meta, **dict.fromkeys(_CREDIT_KEYS[fmt], self.credit)}
        return meta

    @_locked
    def save(self, k: int, file, fmt: str) -> None:
        """Write frame ``k`` alone as ``fmt`` ('png', 'svg' or 'pdf') to a path or binary file."""
        k = self._check(k)
        self._painted = None  # a PNG is drawn on the canvas
        self.update(k)
        with self._static():
            if fmt != "svg":
                self.fig.savefig(file, format=fmt, dpi=self.dpi, metadata=self._metadata(fmt))
                return
            buffer = io.BytesIO()
            self.fig.savefig(buffer, format=fmt, dpi=self.dpi, metadata=self._metadata(fmt))
        data = _stable_clip_ids(buffer.getvalue())
        if isinstance(file, (str, os.PathLike)):
            with open(file, "wb") as fh:
                fh.write(data)
        else:
            file.write(data)

    @_locked
    def save_pdf_pages(self, file) -> None:
        """Write every frame as one page of a PDF (a path or binary file)."""
        from matplotlib.backends.backend_pdf import PdfPages

        self._painted = None
        with self._static(), PdfPages(file, metadata=self._metadata("pdf")) as pdf:
            for k in range(len(self)):
                self.update(k)
                pdf.savefig(self.fig)
