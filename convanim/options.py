"""`animate`'s options: their defaults, the checks of their values, and which views each one changes."""

from __future__ import annotations

import math
from collections.abc import Mapping

from . import limits, views
from .checks import is_int

__all__ = ["OPTIONS", "CHANNEL_ORDERS", "resolved_channel_order", "APPLIES", "MAX_MS", "TIMED_FORMATS",
           "TIMING_OPTIONS", "check_options", "check_applies", "check_timing", "check_credit"]


def _check_ms(name: str, value: int, minimum: int) -> int:
    if not is_int(value):
        raise ValueError(f"{name} must be an integer number of milliseconds, got {value!r}")
    if not minimum <= value <= MAX_MS:
        raise ValueError(f"{name} must be from {minimum} to {MAX_MS} (5 minutes), got {value}")
    return int(value)


#: Longest frame time and hold, in ms (GIF stores at most 655.35 s per frame).
MAX_MS = 300_000

#: ``channel_order``: 'auto' is 'position' for a depthwise layer with one filter per channel (``groups ==
#: in_channels == out_channels``: its channels are one operation repeated, so they move together), 'channel'
#: for any other (`resolved_channel_order`).
CHANNEL_ORDERS = ("auto", "channel", "position")


def resolved_channel_order(spec, order: str) -> str:
    """'channel' or 'position': ``order`` with 'auto' made 'position' for a depthwise layer with one filter
    per channel, 'channel' for any other."""
    if order != "auto":
        return order
    groups = getattr(spec, "groups", 1)
    one_each = groups > 1 and groups == spec.in_channels == spec.out_channels
    return "position" if one_each else "channel"


#: `animate`'s options and their defaults (gallery files take the same keys).
OPTIONS = {
    "layout": "classic", "view": "grid", "theme": "classic", "cell_px": None, "labels": False,
    "caption": False, "duration_ms": None, "hold_first_ms": 0, "hold_last_ms": 0, "values": "symbols",
    "seed": 0, "flip": False, "radius": 1.0, "credit": None, "channel_order": "auto",
    "max_frames": limits.MAX_FRAMES, "max_pixels": limits.MAX_PIXELS, "max_frame_pixels": limits.MAX_FRAME_PIXELS,
    "width": None,
}

class _Applies(Mapping):
    """option -> the views it changes, read from the registry at each look-up (`convanim.views.applies`)."""

    def __getitem__(self, name: str) -> tuple[str, ...]:
        if name not in views.VIEW_OPTIONS:
            raise KeyError(name)
        return views.applies(name)

    def __iter__(self):
        return iter(views.VIEW_OPTIONS)

    def __len__(self) -> int:
        return len(views.VIEW_OPTIONS)

    def __repr__(self) -> str:
        return repr(dict(self))


#: Which views each option (and the spec, ``"spec"``) changes, from the views' declarations
#: (`convanim.views.applies`); an option given for another view does nothing, and is refused. The
#: command line and gallery files use this one table.
APPLIES = _Applies()


def check_applies(view: str, given, spell=str, values: str = "symbols") -> None:
    """ValueError when an option in ``given`` (names; ``"spec"`` for the convolution) does nothing in ``view``.

    ``spell`` turns an option name into what the user typed (``--radius`` on
    the command line, ``radius`` in Python and gallery files). ``seed`` also
    needs ``values`` to be random or a file.
    """
    for name in given:
        taking = views.applies(name)
        if view not in taking:
            raise ValueError(f"{spell(name)} only applies to {spell('view')} {views.or_list(taking)}")
    if "seed" in given and (values == "symbols" or str(values).lower().endswith(".npz")):
        raise ValueError(f"{spell('seed')} only applies with {spell('values')} random or a .npy file")


#: Formats whose frames have durations: the timing options do nothing elsewhere.
TIMED_FORMATS = (".gif", ".png", ".apng", ".webp", ".mp4")
TIMING_OPTIONS = ("duration_ms", "hold_first_ms", "hold_last_ms")


def check_timing(ext: str | None, given, spell=str) -> None:
    """ValueError when a timing option in ``given`` is set but the output (``ext``; None: none) is not animated."""
    timed = [name for name in TIMING_OPTIONS if name in given]
    if timed and (ext or "").lower() not in TIMED_FORMATS:
        raise ValueError(
            f"{spell(timed[0])} only applies to an animation written as {', '.join(TIMED_FORMATS)}"
        )


def _positive_int(name: str, value) -> None:
    if not is_int(value) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")


def check_options(*, _spell=str, _applies=True, **given) -> dict:
    """Check `animate`'s options without drawing anything (ValueError on the first bad one).

    Every name in ``given`` must change something for the view: options a view
    ignores are refused (`APPLIES`; ``_applies=False`` skips this, for gallery
    defaults). Returns the options merged with the defaults.
    """
    from .themes import Theme, get_theme

    unknown = sorted(set(given) - set(OPTIONS))
    if unknown:
        raise ValueError(f"unknown option {unknown[0]!r}; options are {', '.join(OPTIONS)}")
    opts = {**OPTIONS, **given}
    layout, view, theme, cell_px = opts["layout"], opts["view"], opts["theme"], opts["cell_px"]
    if layout not in views.LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(views.LAYOUTS)}, got {layout!r}")
    views.get(view)  # ValueError naming the views
    if not isinstance(theme, (str, Theme)):
        raise ValueError(f"theme must be a theme name, got {theme!r}")
    get_theme(theme)
    if cell_px is not None and (not is_int(cell_px) or not 8 <= cell_px <= 400):
        raise ValueError(f"cell_px must be an integer from 8 to 400, got {cell_px!r}")
    if opts["width"] is not None:
        from .scene.measure import check_width

        check_width(opts["width"])
    for name in ("labels", "caption", "flip"):
        if not isinstance(opts[name], bool):
            raise ValueError(f"{name} must be true or false, got {opts[name]!r}")
    if opts["duration_ms"] is not None:
        _check_ms("duration_ms", opts["duration_ms"], 10)
    _check_ms("hold_first_ms", opts["hold_first_ms"], 0)
    _check_ms("hold_last_ms", opts["hold_last_ms"], 0)
    seed, values, radius = opts["seed"], opts["values"], opts["radius"]
    if not is_int(seed) or not 0 <= seed < 2**63:
        raise ValueError(f"seed must be an integer from 0 to 2**63 - 1, got {seed!r}")
    if not isinstance(values, str) or not values:
        raise ValueError(f"values must be 'symbols', 'random' or a file path, got {values!r}")
    if not isinstance(radius, (int, float)) or isinstance(radius, bool) or not math.isfinite(radius) or radius <= 0:
        raise ValueError(f"radius must be a finite number > 0, got {radius!r}")
    if opts["channel_order"] not in CHANNEL_ORDERS:
        raise ValueError(f"channel_order must be 'auto', 'channel' or 'position', got {opts['channel_order']!r}")
    for name in ("max_frames", "max_pixels", "max_frame_pixels"):
        _positive_int(name, opts[name])
    check_credit(opts["credit"])
    if _applies:
        check_applies(view, given, _spell, values)
    return opts


def check_credit(credit) -> None:
    """A credit line is None or one line of 1 to 500 printable characters."""
    if credit is None:
        return
    if not isinstance(credit, str) or not 1 <= len(credit) <= 500 or not credit.isprintable():
        raise ValueError(f"credit must be one line of 1 to 500 printable characters, got {credit!r:.80}")
