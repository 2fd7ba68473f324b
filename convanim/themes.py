"""Colour themes: plain data, selected by name.

Scenes draw flat, opaque colours only; a translucent overlay is pre-blended
with `Theme.over` so that every frame holds a handful of exact colours (small
GIFs, crisp edges).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["Theme", "THEMES", "get_theme", "hex_to_rgb", "blend"]


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``'#268bd2'`` -> ``(38, 139, 210)``."""
    value = color.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def blend(base: str, top: str, alpha: float) -> str:
    """``top`` at opacity ``alpha`` over ``base``, as a hex colour.

    >>> blend("#268bd2", "#073642", 0.4)
    '#1a6998'
    """
    b, t = hex_to_rgb(base), hex_to_rgb(top)
    mixed = (round((1 - alpha) * x + alpha * y) for x, y in zip(b, t))
    return "#" + "".join(f"{v:02x}" for v in mixed)


@dataclass(frozen=True)
class Theme:
    """Colours of one look. Every field but ``name`` and ``overlay_alpha`` is a hex colour."""

    name: str
    background: str
    input: str  # input cells
    output: str  # output cells
    line: str  # grid lines, footprint outline, projection lines
    padding: str  # padding and inserted zeros (drawn with a dashed grid)
    overlay: str  # kernel shade, drawn at overlay_alpha
    overlay_alpha: float
    unread: str  # input cells no kernel position reads (flat layout)
    text: str
    accent: str  # highlights in the value / matrix / 1-D views

    def over(self, base: str) -> str:
        """The kernel overlay blended over ``base``."""
        return blend(base, self.overlay, self.overlay_alpha)

    @property
    def colors(self) -> list[tuple[int, int, int]]:
        """The flat colours a frame of this theme is built from (a palette hint)."""
        names = ("background", "input", "output", "line", "padding", "unread", "text", "accent")
        base = [getattr(self, n) for n in names]
        shaded = [self.over(getattr(self, n)) for n in ("input", "output", "padding", "unread")]
        return list(dict.fromkeys(hex_to_rgb(c) for c in base + shaded))

    @property
    def antialias_palette(self) -> list[tuple[int, int, int]]:
        """`colors` plus the shades anti-aliasing draws between them.

        Every fill a third and two thirds of the way towards the line and text
        colours: what grid lines, cell edges and text blend into. A GIF of the
        grid layouts uses exactly these colours (25-40 of them); measured on
        the classic gallery, finer steps (1/5) add 14 % to the bytes with no
        difference visible at 1:1.
        """
        fills = [self.background, self.input, self.output, self.padding, self.unread]
        fills += [self.over(c) for c in fills]
        fills = list(dict.fromkeys(fills))
        shades = [blend(f, ink, a / 3) for f in fills for ink in dict.fromkeys((self.line, self.text)) for a in (1, 2)]
        colours = [hex_to_rgb(c) for c in shades]
        return list(dict.fromkeys(self.colors + colours))


THEMES: dict[str, Theme] = {
    # Solarized, as in Dumoulin & Visin's conv_arithmetic figures.
    "classic": Theme(
        name="classic",
        background="#ffffff",
        input="#268bd2",
        output="#2aa198",
        line="#002b36",
        padding="#ffffff",
        overlay="#073642",
        overlay_alpha=0.4,
        unread="#93a1a1",
        text="#002b36",
        accent="#dc322f",
    ),
    # Solarized dark: light lines on base03.
    "dark": Theme(
        name="dark",
        background="#002b36",
        input="#268bd2",
        output="#2aa198",
        line="#eee8d5",
        padding="#073642",
        overlay="#fdf6e3",
        overlay_alpha=0.45,
        unread="#586e75",
        text="#eee8d5",
        accent="#cb4b16",
    ),
    # Okabe & Ito's palette: blue / orange stay distinct under deuteranopia and protanopia.
    "colorblind": Theme(
        name="colorblind",
        background="#ffffff",
        input="#0072b2",
        output="#e69f00",
        line="#000000",
        padding="#ffffff",
        overlay="#000000",
        overlay_alpha=0.4,
        unread="#bbbbbb",
        text="#000000",
        accent="#d55e00",
    ),
}


def get_theme(name: str | Theme) -> Theme:
    """The theme called ``name`` (a `Theme` passes through)."""
    if isinstance(name, Theme):
        return name
    try:
        return THEMES[name]
    except KeyError:
        known = ", ".join(sorted(THEMES))
        raise ValueError(f"theme must be one of {known}, got {name!r}") from None


def theme_fields() -> list[str]:
    """Names of the colour fields, for theme files and docs."""
    return [f.name for f in fields(Theme) if f.name not in ("name", "overlay_alpha")]
