"""The Python API: `animate` builds an `Animation`, which saves to every format.

>>> from convanim import animate
>>> anim = animate(input_size=5, kernel_size=3, stride=2, padding=1)
>>> len(anim), anim.durations[:2]
(9, [1000, 1000])
>>> anim.alt
'3×3 kernel, stride 2, padding 1 over a 5×5 input, giving 3×3'
"""

from __future__ import annotations

import base64
from pathlib import Path

from . import limits, views
from .checks import file_path, integer, plain
from .explanation import alt_text
from .options import (  # noqa: F401 (APPLIES ... check_credit: importable from here too, their old home)
    APPLIES,
    MAX_MS,
    OPTIONS,
    TIMED_FORMATS,
    TIMING_OPTIONS,
    _check_ms,
    check_applies,
    check_credit,
    check_options,
    check_timing,
    resolved_channel_order,
)
from .spec import ConvSpec
from .version import __version__
from .words import count

__all__ = ["Animation", "animate", "ANIMATION_FORMATS", "STEP_FORMATS"]

#: Extensions `Animation.save` writes every step to (``.html``: an interactive page).
ANIMATION_FORMATS = (".gif", ".png", ".apng", ".webp", ".pdf", ".mp4", ".html")
#: Extensions it writes a single step to (``step=K``).
STEP_FORMATS = (".png", ".svg", ".pdf", ".gif", ".webp")
#: Extensions of a contact sheet (``sheet=True``).
SHEET_FORMATS = (".png", ".pdf")

_FRAME_FORMATS = ("png", "svg", "pdf")


class Animation:
    """One animation: a scene, its frame durations and its description.

    ``len(anim)`` is the number of frames (one per kernel position); iterating
    yields the frames as PIL images; `frame` returns one.
    """

    def __init__(
        self, scene, *, spec: ConvSpec | None, durations: list[int], alt: str, config: str, flat_colours: bool,
        credit: str | None = None, options: dict | None = None,
    ):
        self.scene = scene
        #: `animate`'s checked options (``view``, ``layout`` ...): the view's page reads them.
        self.options = {**OPTIONS, **(options or {})}
        # Grid layouts are drawn from the theme's flat colours: their GIFs use
        # exactly those and the anti-aliasing shades between them.
        self._palette_only = flat_colours
        self.spec = spec
        self.durations = durations
        self.alt = alt
        self.comment = f"convanim {__version__}: {config}"
        self.credit = credit
        if credit:  # first, so that viewers showing one line of the comment show the credit
            self.comment = f"{credit}\n{self.comment}"

    def __len__(self) -> int:
        return len(self.scene)

    def __iter__(self):
        from .encode import to_image

        for array in self.scene.frames():
            yield to_image(array)

    def __repr__(self) -> str:
        w, h = self.scene.size
        return f"<Animation {count(len(self), 'frame')}, {w}x{h} px: {self.alt}>"

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.scene.size

    def _step(self, k) -> int:  # the scene checks the range
        return integer("step", k, f"an integer from 0 to {len(self) - 1}")

    def array(self, k: int):
        """Frame ``k`` as a (height, width, 3) uint8 numpy array."""
        return self.scene.frame(self._step(k))

    def frame(self, k: int):
        """Frame ``k`` as a PIL image."""
        from .encode import to_image

        return to_image(self.scene.frame(self._step(k)))

    def gif_bytes(self) -> bytes:
        """The GIF `save` would write, in memory."""
        from .encode import encode_gif_bytes

        return encode_gif_bytes(self._frames(), self.durations, comment=self.comment, **self.encoder_options)

    @property
    def encoder_options(self) -> dict:
        """The palette arguments `convanim.encode` gets for this animation."""
        theme = self.scene.options.theme
        if self._palette_only:
            return {"palette": theme.antialias_palette, "palette_only": True}
        return {"palette": theme.colors}

    def _repr_html_(self) -> str:
        """A notebook's view: the interactive player where the view has one, with the GIF inside it for
        viewers that run no scripts; otherwise the GIF alone."""
        data = base64.b64encode(self.gif_bytes()).decode("ascii")
        alt = self.alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        image = f'<img src="data:image/gif;base64,{data}" alt="{alt}" title="{alt}" />'
        try:
            page = self._page_data()
        except ValueError:  # a view without a page
            return image
        from .html import render_fragment

        return render_fragment(page, fallback=image)

    def save(self, path, *, step: int | None = None, sheet: bool = False, progress=None) -> Path:
        """Write the animation to ``path``; the format comes from the extension.

        Every step: ``.gif``, ``.png`` (APNG), ``.apng``, ``.webp``, ``.pdf``
        (one page per step), ``.mp4`` (needs ``pip install convanim[mp4]``),
        ``.html`` (one self-contained interactive page; every built-in view has one).
        ``step=K``: only step K, as ``.png``, ``.svg`` or ``.pdf``.
        ``sheet=True``: a numbered contact sheet of all steps, ``.png`` or ``.pdf``.
        The file is written to a temporary name and renamed: a failed save
        leaves nothing behind. Frames stream from the scene to the encoder one
        at a time (``self.scene.frames`` is re-read where the format needs two
        passes), so memory does not grow with the number of frames.
        ``progress``: called with ``k`` after frame ``k`` is written (again from 0 on a second pass).
        """
        from . import encode

        path = file_path("path", path)
        ext = path.suffix.lower()
        step = None if step is None else self._step(step)
        if not isinstance(sheet, bool):
            raise ValueError(f"sheet must be True or False, got {sheet!r:.60}")
        if step is not None and sheet:
            raise ValueError("step and sheet cannot be combined: a sheet shows every step")
        if sheet:
            _need(ext, SHEET_FORMATS, "a contact sheet")
            from .scene.sheet import contact_sheet

            with encode.atomic_output(path) as fh:
                contact_sheet(self.scene, fh, ext[1:])
        elif step is not None:
            _need(ext, STEP_FORMATS, "a single step")
            k = self.scene._check(step)
            if ext in (".svg", ".pdf"):
                with encode.atomic_output(path) as fh:
                    self.scene.save(k, fh, ext[1:])
            else:
                encode.write_animation(
                    path, [self.scene.frame(k)], self.durations[k], comment=self.comment, **self.encoder_options
                )
        elif ext == ".html":
            self._save_page(path)
        elif ext == ".pdf":
            with encode.atomic_output(path) as fh:
                self.scene.save_pdf_pages(fh)
        elif ext == ".mp4":
            if self.credit:
                raise ValueError("credit is not written to .mp4 (it carries no metadata): use .gif, .png or .webp")
            encode.write_mp4(path, self._frames(progress), self.durations)
        elif ext == ".svg":
            raise ValueError(
                "an .svg file holds one step: add step=K (--step K), or write every step with "
                "--frames DIR --frame-format svg"
            )
        else:
            _need(ext, ANIMATION_FORMATS, "an animation")
            encode.write_animation(
                path, self._frames(progress), self.durations, comment=self.comment, **self.encoder_options
            )
        return path

    def _save_page(self, path: Path) -> None:
        """One self-contained interactive HTML page (`convanim.html`), ``credit`` in its metadata."""
        from .encode import atomic_output
        from .html import render_page

        page = render_page(self._page_data(), self.credit)
        with atomic_output(path) as fh:
            fh.write(page.encode("utf-8"))

    def _page_data(self) -> dict:
        """The page's plain JSON, from the view's declaration (`convanim.views.View.page`)."""
        view = views.check_page(self.options["view"])
        if self.spec is None and view.draws_spec:
            raise ValueError("an interactive page needs a convolution: give input_size and kernel_size")
        return view.page(self)

    def _frames(self, progress=None):
        """The scene's re-iterable frame source, calling ``progress(k)`` after frame ``k`` when given: the
        frames, and (`convanim.encode.Patched`) what changed in each, where the scene can tell."""
        from .encode import Patched

        def calling(source):
            if progress is None:
                return source

            def frames():
                for k, item in enumerate(source()):
                    yield item
                    progress(k)

            return frames

        frames = calling(self.scene.frames)
        patched = getattr(self.scene, "patched", None)
        return Patched(frames, calling(self.scene.patches)) if patched and patched() else frames

    def save_frames(self, directory, *, fmt: str = "png", progress=None) -> list[Path]:
        """One file per step in ``directory``, ``fmt`` png, svg or pdf, named as people count steps: from 1
        (``step_1.png`` ... ``step_9.png``; ``step_01.png`` ... ``step_16.png``); ``progress`` as in `save`."""
        from . import encode

        directory = file_path("directory", directory)
        if fmt not in _FRAME_FORMATS:
            raise ValueError(f"frame format must be one of {', '.join(_FRAME_FORMATS)}, got {fmt!r}")
        if fmt == "png" and self.credit:
            raise ValueError("credit is not written to PNG frames: use --frame-format svg or pdf, or one .png file")
        if fmt == "png":
            return encode.write_frames(directory, self._frames(progress), stem="step", first=1)

        def write(k, fh):
            self.scene.save(k, fh, fmt)
            if progress is not None:
                progress(k)

        return encode.write_files(
            directory,
            len(self),
            write,
            stem="step",
            ext=f".{fmt}",
            first=1,
        )


def _need(ext: str, allowed, what: str) -> None:
    if ext not in allowed:
        raise ValueError(f"{what} is written as {', '.join(allowed)}, got {ext or 'no extension'!r}")


def animate(
    spec: ConvSpec | None = None,
    *,
    layout: str = "classic",
    view: str = "grid",
    theme="classic",
    cell_px: int | None = None,
    labels: bool = False,
    caption: bool = False,
    duration_ms: int | None = None,
    hold_first_ms: int = 0,
    hold_last_ms: int = 0,
    values="symbols",
    seed: int = 0,
    flip: bool = False,
    radius: float = 1.0,
    credit: str | None = None,
    max_frames: int = limits.MAX_FRAMES,
    max_pixels: int = limits.MAX_PIXELS,
    max_frame_pixels: int = limits.MAX_FRAME_PIXELS,
    channel_order: str = "auto",
    width: int | None = None,
    **spec_fields,
) -> Animation:
    """Build the animation of ``spec`` (or of ``ConvSpec(**spec_fields)``).

    Nothing is drawn until a frame is asked for; options a view ignores, and
    animations past a limit (`convanim.limits`), raise ValueError at once.

    Parameters
    ----------
    spec : ConvSpec or PoolSpec, optional
        The convolution (or pooling: grid and values views); or pass its fields (``input_size=5, kernel_size=3,
        stride=1, padding=0, dilation=1, transposed=False, output_padding=0``).
        The ``continuous`` view takes none.
    layout : {'classic', 'flat'}, default 'classic'
        ``grid`` view only: slanted grids as in conv_arithmetic, or top-down side by side.
    view : {'grid', '1d', 'continuous', 'values', 'matrix', 'scatter', 'both', 'overlap'}, default 'grid'
        ``grid`` draws the layout; ``1d`` to ``matrix`` are the seed post's
        teaching views; ``scatter``, ``both`` and ``overlap`` show a transposed
        convolution as PyTorch computes it (`convanim.scene.scatter`).
    theme : {'classic', 'dark', 'colorblind'} or Theme, default 'classic'
        Solarized; Solarized dark; Okabe-Ito.
    cell_px : int, default None
        Cell size in pixels, 8 to 400 (None: the view's own). Not for ``continuous``.
    labels : bool, default False
        Name the grids with their sizes. Not for ``continuous``.
    caption : bool, default False
        Write the output-size formula (``continuous``: the integral) under the drawing.
    duration_ms : int, default None
        Time per frame, 10 to 300000 ms (None: the view's, 1000 ms for the
        grids). GIF stores 10 ms units, so GIF durations are rounded to 10 ms.
    hold_first_ms : int, default 0
        Extra time on the first frame (by duration, not by duplicate frames).
    hold_last_ms : int, default 0
        Extra time on the last frame. The ``continuous`` view adds 1500 ms of
        its own there, where the curve is finished.
    values : str, default 'symbols'
        ``values``, ``1d`` and ``matrix`` views: ``'symbols'``, ``'random'``
        (small integers), a ``.npy`` file (the input) or a ``.npz`` file
        (arrays ``input`` and ``kernel``) of finite real numbers.
    seed : int, default 0
        Seed of ``values='random'`` (and of the kernel of a ``.npy`` input).
    flip : bool, default False
        ``1d`` view: the mathematical convolution (kernel flipped).
    radius : float, default 1.0
        ``continuous`` view: the half disc's radius r, 0.1 to 10.
    credit : str, default None
        A credit line (``"Figure: A. Author, CC BY 4.0"``) written into the
        files' metadata, never into the pixels: the GIF comment, the PNG text
        chunk, WebP's XMP, SVG's dc:rights and dc:description, PDF's Author and
        Subject, a page's ``<meta name="author">``. MP4 and PNG frame folders refuse it.
    max_frames : int, default 10000
        Refuse animations with more frames (`convanim.limits.MAX_FRAMES`).
    max_pixels : int, default 10000000000
        Refuse animations with more pixels in all frames together.
    max_frame_pixels : int, default 16000000
        Refuse animations with more pixels per frame.
    channel_order : {'auto', 'channel', 'position'}, default 'auto'
        ``grid`` and ``values`` views of a spec with channels, groups or bias
        (`ConvSpec.multichannel`), drawn slice by slice (``convanim.scene.channels``;
        the ``values`` view writes the numbers in, from `convanim.evaluate`):
        one frame per output cell of one output channel in PyTorch's memory
        order (``'channel'``), or every output channel at once per position
        (``'position'``). ``'auto'``: ``'position'`` for a depthwise layer with
        one filter per channel (``groups == in_channels == out_channels > 1``:
        one operation repeated on every channel, so they move together),
        ``'channel'`` for any other.
    width : int, default None
        The width in pixels the figure will be shown at (a blog column, a
        slide): its cells are sized so the frame is that wide, text keeps its
        readable size. None: the view's own cells, made smaller when the frame
        would be wider than `convanim.scene.base.DEFAULT_MAX_WIDTH`. Not with ``cell_px``.

    Returns
    -------
    Animation
    """
    from .scene.base import SceneOptions  # matplotlib: loaded on the first animation
    from .themes import get_theme

    cell_px, duration_ms, hold_first_ms, hold_last_ms, seed, max_frames, max_pixels, max_frame_pixels = map(
        plain, (cell_px, duration_ms, hold_first_ms, hold_last_ms, seed, max_frames, max_pixels, max_frame_pixels))
    unknown = sorted(set(spec_fields) - set(_SPEC_FIELDS))
    if unknown:
        raise ValueError(f"unknown option {unknown[0]!r}; options are {', '.join(OPTIONS)}, or the "
                         f"fields of ConvSpec ({', '.join(_SPEC_FIELDS)})")
    if spec is not None and spec_fields:
        raise ValueError(f"pass either spec or its fields, got spec and {sorted(spec_fields)}")
    if spec is None and spec_fields:
        check_applies(view if isinstance(view, str) else "grid", ["spec"])
        spec = ConvSpec(**spec_fields)
    views.check_spec(spec, view)
    given = {
        name: value
        for name, value in dict(
            layout=layout, view=view, theme=theme, cell_px=cell_px, labels=labels, caption=caption,
            duration_ms=duration_ms, hold_first_ms=hold_first_ms, hold_last_ms=hold_last_ms,
            values=values, seed=seed, flip=flip, radius=radius, credit=credit, max_frames=max_frames,
            max_pixels=max_pixels, max_frame_pixels=max_frame_pixels, channel_order=channel_order,
            width=width,
        ).items()
        if not (type(value) is type(OPTIONS[name]) and value == OPTIONS[name])
    }
    opts = check_options(**given)
    opts["channel_order"] = resolved_channel_order(spec, opts["channel_order"])
    if spec is not None:
        check_applies(view, ["spec"])
    declared = views.get(view)
    if channel_order == "position" and getattr(spec, "out_channels", 1) == 1:
        raise ValueError("channel order 'position' only changes a layer with more than one output channel, got "
                         + ("a pooling" if views.drawn_kind(spec) == "pool" else "out_channels=1"))
    fits = "width" in declared.options and declared.fits_cells  # cells sized for the width it is shown at
    shown = tallest = None
    if fits:
        from .scene.measure import DEFAULT_MAX_HEIGHT, DEFAULT_MAX_WIDTH

        shown = width if width is not None else DEFAULT_MAX_WIDTH if cell_px is None else None
        tallest = DEFAULT_MAX_HEIGHT if width is None and cell_px is None else None
    limits.check_render(
        spec, view, layout, cell_px, labels=labels, caption=caption, radius=radius,
        max_frames=max_frames, max_pixels=max_pixels, max_frame_pixels=max_frame_pixels, shown_width=shown,
        shown_height=tallest,
    )

    def build(cell_px):
        options = SceneOptions(theme=get_theme(theme), cell_px=cell_px, labels=labels, caption=caption, width=width)
        return views.build_scene(spec, opts, options)

    scene = build(cell_px)
    # --width: the cells that make the frame the width it is shown at (or fit a page by default)
    if fits:
        from .scene.measure import fit_width

        scene, fitted = fit_width(scene, build, width, cell_px)
        if fitted != cell_px:
            limits.check_render(spec, view, layout, fitted, labels=labels, caption=caption, radius=radius,
                                max_frames=max_frames, max_pixels=max_pixels, max_frame_pixels=max_frame_pixels)
    scene.credit = credit
    base = _check_ms("duration_ms", duration_ms if duration_ms is not None else scene.frame_ms, 10)
    durations = [base] * len(scene)
    durations[0] += _check_ms("hold_first_ms", hold_first_ms, 0)
    durations[-1] += _check_ms("hold_last_ms", hold_last_ms, 0) + scene.hold_last_ms
    alt = scene.describe() or (alt_text(spec) if spec is not None else "")
    config = f"{spec!r} layout={layout} view={view} theme={scene.options.theme.name}"
    flat = declared.palette_only and not getattr(scene, "free_colours", False)  # e.g. numbers in many colours
    return Animation(
        scene, spec=spec, durations=durations, alt=alt, config=config, flat_colours=flat, credit=credit, options=opts
    )


_SPEC_FIELDS = ("input_size", "kernel_size", "stride", "padding", "dilation", "transposed", "output_padding",
                "in_channels", "out_channels", "groups", "bias")
