"""The view registry: every view declared once (`convanim.views.base.View`), one module each.

The command line's ``--view`` and ``--layout`` choices, the options a view
refuses (`applies`), the limits (`convanim.limits`), `convanim.animate`'s
choice of scene (`build_scene`), the interactive pages (`check_page`,
`page_files`) and the gallery files read this table. Adding a view is one
module beside these and one line in `_BUILT_IN`.

>>> names()
('grid', '1d', 'continuous', 'values', 'matrix', 'scatter', 'both', 'overlap')
>>> applies("flip"), applies("values")
(('1d',), ('values', '1d', 'matrix', 'scatter', 'both'))
>>> get("values").limits
{'cells': 16, 'taps': 49}
"""

from __future__ import annotations

import contextlib
import threading

from ..html import check_spec as page_draws
from ..spec import ConvSpec
from . import both, continuous, grid, matrix, oned, overlap, scatter, values
from .base import MAX_CHANNELS, View, drawn_kind

__all__ = [
    "View", "VIEW_OPTIONS", "MAX_CHANNELS", "LAYOUTS", "names", "get", "register", "registered", "applies", "or_list",
    "check_spec", "build_scene", "check_page", "page_files", "drawn_kind",
]

#: The built-in views, in the order ``--help`` lists them.
_BUILT_IN = (grid.VIEW, oned.VIEW, continuous.VIEW, values.VIEW, matrix.VIEW, scatter.VIEW, both.VIEW,
             overlap.VIEW)

#: Options only some views take (a view lists its own in `View.options`); every other option of
#: `convanim.animate` (theme, caption, timing, credit, limits) applies to every view. ``"spec"``: the
#: convolution itself, taken by every view that draws one.
VIEW_OPTIONS = ("spec", "layout", "cell_px", "width", "labels", "values", "seed", "flip", "radius", "channel_order")

#: The ``--layout`` names (the grid view's layouts).
LAYOUTS = grid.LAYOUTS

_REGISTRY: dict[str, View] = {view.name: view for view in _BUILT_IN}
_LOCK = threading.Lock()


def names() -> tuple[str, ...]:
    """Every registered view's name, built-in views first."""
    return tuple(_REGISTRY)


def get(name) -> View:
    """The view registered as ``name``; ValueError (one sentence) for any other name."""
    view = _REGISTRY.get(name) if isinstance(name, str) else None
    if view is None:
        raise ValueError(f"view must be one of {', '.join(_REGISTRY)}, got {name!r}")
    return view


def register(view: View) -> View:
    """Add ``view`` to the registry (a name already taken raises ValueError); returns it."""
    if not isinstance(view, View):
        raise ValueError(f"register takes a View, got {type(view).__name__}")
    unknown = sorted(set(view.options) - set(VIEW_OPTIONS))
    if unknown:
        raise ValueError(f"view {view.name!r}: options must be among {', '.join(VIEW_OPTIONS)}, got {unknown[0]!r}")
    with _LOCK:
        if view.name in _REGISTRY:
            raise ValueError(f"a view named {view.name!r} is already registered")
        _REGISTRY[view.name] = view
    return view


@contextlib.contextmanager
def registered(view: View):
    """``with registered(view): ...``: ``view`` is registered inside the block only (tests, experiments)."""
    register(view)
    try:
        yield view
    finally:
        with _LOCK:
            _REGISTRY.pop(view.name, None)


def _takes(view: View, option: str) -> bool:
    return view.draws_spec if option == "spec" else option in view.options


def applies(option: str) -> tuple[str, ...]:
    """The views ``option`` changes (every view for an option not in `VIEW_OPTIONS`).

    Views declaring the option in `View.first_for` come first, then the registry's order.
    """
    views = list(_REGISTRY.values())
    if option not in VIEW_OPTIONS:
        return tuple(v.name for v in views)
    taking = [v for v in views if _takes(v, option)]
    return tuple(v.name for v in sorted(taking, key=lambda v: option not in v.first_for))


def or_list(names) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _drawing(kind: str) -> tuple[str, ...]:
    return tuple(v.name for v in _REGISTRY.values() if kind in v.scenes)


def check_spec(spec, view) -> None:
    """ValueError (one sentence) unless ``spec`` is something a view can be asked to draw.

    Run before the options are checked: no spec where ``view`` needs one,
    something that is no spec, or a pooling for a view that draws none.
    Whether ``view`` takes a spec at all is `applies` ``("spec")``'s refusal.
    """
    known = _REGISTRY.get(view) if isinstance(view, str) else None
    if spec is None:
        if known is None or known.draws_spec:
            without = [v.name for v in _REGISTRY.values() if not v.draws_spec]
            raise ValueError(f"spec (or input_size and kernel_size) is required for every view but {or_list(without)}")
        return
    if getattr(spec, "kind", None) not in ("conv", "pool"):
        raise ValueError(f"spec must be a ConvSpec or a PoolSpec, got {type(spec).__name__}")
    if spec.kind == "pool" and (known is None or "pool" not in known.scenes):
        raise ValueError(f"a pooling is drawn by the {or_list(_drawing('pool'))} view, got view={view!r}")


def _refuse_kind(spec, view: View) -> None:
    kind = drawn_kind(spec)
    if kind in view.scenes:
        return
    if kind == "layer":
        raise ValueError(
            f"view {view.name!r} draws one channel; a layer with in_channels, out_channels, groups or bias "
            f"is drawn by the {' and '.join(_drawing('layer'))} views"
        )
    if kind == "pool":
        raise ValueError(f"a pooling is drawn by the {or_list(_drawing('pool'))} view, got view={view.name!r}")
    raise ValueError(f"the {view.name} view draws no {kind} spec")


def check_drawable(spec, opts: dict) -> View:
    """The view of ``opts["view"]`` after refusing a spec kind it does not draw and a drawing too large to
    read (ValueError, one sentence each)."""
    view = get(opts["view"])
    if spec is not None:
        _refuse_kind(spec, view)
    if drawn_kind(spec) == "layer":  # before any size limit: the real reason a wide layer is not drawn
        for name in ("in_channels", "out_channels"):
            if getattr(spec, name) > MAX_CHANNELS:
                raise ValueError(
                    f"the channel drawing shows at most {MAX_CHANNELS} input and output channels, got "
                    f"{name}={getattr(spec, name)}; convanim shape gives the numbers of any layer"
                )
    if view.check is not None and (spec is not None or not view.draws_spec):
        view.check(spec, opts)
    return view


def build_scene(spec, opts: dict, scene_options):
    """The scene of ``spec`` in the view ``opts["view"]`` (``opts``: `convanim.animate`'s checked options)."""
    view = get(opts["view"])
    _refuse_kind(spec, view)
    return view.scenes[drawn_kind(spec)](spec, scene_options, opts)


def check_page(name) -> View:
    """The view ``name`` if it has an interactive page; else ValueError (one sentence)."""
    view = get(name)
    if view.page is None:
        raise ValueError(f"--view {name} has no interactive form yet; write .gif, .webp or .pdf")
    return view


def page_files(cases, make_spec=None) -> dict[str, str]:
    """Gallery cases that get a page beside their animation: case name -> ``NAME.html``.

    Cases whose view has a page for their kind of spec (`View.page_kinds`),
    unless their file already is a page or ``NAME.html`` is taken (by a
    case's file or the index), and whose spec the page draws
    (`convanim.html.check_spec`); a case of a view drawing no spec (``continuous``)
    gets one where its `View.page_kinds` holds ``'none'``. ``make_spec``: a case's spec keys -> its
    spec (default: a `ConvSpec`).
    """
    make_spec = make_spec or (lambda fields: ConvSpec(**fields))
    taken = {case.file.lower() for case in cases} | {"index.html", "readme.md"}  # as file systems may compare
    pages = {}
    for case in cases:
        page = f"{case.name}.html"
        view = _REGISTRY.get(case.options.get("view", "grid"))
        if view is None or view.page is None or page.lower() in taken or case.file.lower().endswith(".html") \
                or getattr(case, "beside", None) or getattr(case, "then", None):  # two layers: no page draws them
            continue
        if not case.spec and not view.draws_spec:  # a view of its own (``continuous``): no spec to draw
            if "none" in view.page_kinds:
                pages[case.name] = page
            continue
        try:
            spec = make_spec(case.spec)
            page_draws(spec)
        except (TypeError, ValueError):  # not a spec the page draws
            continue
        if drawn_kind(spec) in view.page_kinds:
            pages[case.name] = page
    return pages
