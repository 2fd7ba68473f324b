"""What a view is: the `View` declaration every view module fills in, and the helpers they share.

A view module (``convanim/views/grid.py`` ...) declares one ``VIEW = View(...)``;
`convanim.views` lists them. Nothing here imports matplotlib: a declaration
names its scene builders, which import their scenes when first called.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["View", "MAX_CHANNELS", "drawn_kind", "rows_cols", "cells_per_frame", "values_of", "DRAWN_KINDS"]

#: What a view may draw, by `drawn_kind`: no spec (a view of its own, like ``continuous``), one channel of a
#: convolution, a layer with channels, groups or bias, or a pooling.
DRAWN_KINDS = ("none", "conv", "layer", "pool")
#: Most input and output channels a layer's drawing shows (`convanim.scene.channels`).
MAX_CHANNELS = 16


def drawn_kind(spec) -> str:
    """``'none'``, ``'conv'``, ``'layer'`` (a `ConvSpec` with channels, groups or bias) or ``'pool'``.

    Read from the spec's ``kind`` attribute (`convanim.axes.SpecKind`), never from its class.
    """
    if spec is None:
        return "none"
    kind = spec.kind
    return "layer" if kind == "conv" and spec.multichannel else kind


def rows_cols(shape) -> tuple[int, int]:
    """A shape drawn as rows x columns: 1-D is one row, 3-D puts its depth slices side by side."""
    shape = tuple(shape)
    return (1, shape[0]) if len(shape) == 1 else (shape[0], math.prod(shape[1:]))


def cells_per_frame(spec) -> int:
    """One frame per output cell (of each output channel, for a layer with channels): most views' count."""
    frames = math.prod(spec.output_shape)
    return frames * spec.out_channels if drawn_kind(spec) == "layer" else frames


def values_of(spec, opts: dict):
    """The `convanim.values.Values` of a one-channel view (``values`` and ``seed`` options)."""
    from ..values import make_values

    return make_values(spec, opts["values"], opts["seed"])


@dataclass(frozen=True)
class View:
    """One view, declared once: everything the command line, `convanim.animate`, the limits, the
    gallery and the page writer need to know about it.

    Attributes
    ----------
    name : str
        ``--view NAME`` / ``view="NAME"``.
    summary : str
        One line: what it draws (``docs/architecture.md``, the README's option table).
    scenes : dict
        Drawn kind (`drawn_kind`: ``'none'``, ``'conv'``, ``'layer'``, ``'pool'``) -> builder
        ``(spec, scene_options, opts) -> Scene``; ``opts`` are `convanim.animate`'s checked options.
        A kind missing here is refused in one sentence.
    options : tuple of str
        The options of `convanim.views.VIEW_OPTIONS` it takes; the others are refused for it.
    first_for : tuple of str
        Options whose refusal names this view first (``--values only applies to --view values, ...``).
    check : callable, optional
        ``(spec, opts) -> None``: ValueError (one sentence) where the drawing would be unreadable.
    limits : dict
        The numbers ``check`` reads (`convanim.limits.VIEW_LIMITS`).
    frames : callable
        ``spec -> int``: frames of the animation (default: one per output cell).
    size : callable
        ``(spec, opts) -> (width, height)``: the frame size estimated without drawing.
    page : callable, optional
        ``(animation) -> dict``: its interactive page's plain JSON (`convanim.html.page_data`); None: ``.html``
        is refused.
    page_kinds : tuple of str
        The drawn kinds (`drawn_kind`) its page draws (the gallery writes pages for those cases only).
    layouts : tuple of str
        Layouts it draws (``--layout``); empty: none.
    bare_ndim : int, optional
        How many axes a bare size (``-i 5``) has on the command line (None: ConvSpec's rule, 2).
    palette_only : bool
        Its GIFs use only the theme's flat colours and their anti-aliasing shades (unless the scene
        writes numbers).
    fits_cells : bool
        With ``width`` among its options: True, `convanim.animate` picks the cell size whose frame is that
        wide (`convanim.scene.measure.fit_width`); False, the scene lays itself out for
        ``SceneOptions.width`` (a view without cells, like ``continuous``).
    """

    name: str
    summary: str
    scenes: dict
    size: Callable
    options: tuple = ()
    first_for: tuple = ()
    check: Callable | None = None
    limits: dict = field(default_factory=dict)
    frames: Callable = cells_per_frame
    page: Callable | None = None
    page_kinds: tuple = ("conv",)
    layouts: tuple = ()
    bare_ndim: int | None = None
    palette_only: bool = False
    fits_cells: bool = True

    def __post_init__(self) -> None:
        unknown = set(self.scenes) - set(DRAWN_KINDS)
        if unknown:
            raise ValueError(f"view {self.name!r}: scenes draw {', '.join(DRAWN_KINDS)}, got {sorted(unknown)[0]!r}")

    @property
    def draws_spec(self) -> bool:
        """True when it draws a spec (every view but one of its own, like ``continuous``)."""
        return any(kind != "none" for kind in self.scenes)
