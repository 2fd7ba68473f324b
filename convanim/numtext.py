"""Numbers as the figures and sentences print them: ``3``, ``-1``, ``0.25`` (integral floats as integers).

Neutral ground: the scenes write these into cells, the sentences (`convanim.pool_text`) and the pages
(`convanim.html`) into lines, and none of them has to import another for it.

>>> number(3.0), number(-0.125), cell_number(-2)
('3', '-0.125', '−2')
"""

from __future__ import annotations

from fractions import Fraction

from .words import count

__all__ = ["number", "cell_number", "table_number", "size_text"]


def number(value) -> str:
    """A value as it is printed in a cell: ``3``, ``-1``, ``0.25`` (integral floats as integers)."""
    import numpy as np  # numpy scalars and 0-d arrays; imported late so that `convanim shape` starts fast

    value = np.asarray(value).item()
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value)
    return f"{value:.3g}"


def cell_number(value) -> str:
    """`number` with a typographic minus, for plain-text cell labels."""
    return number(value).replace("-", "\u2212")


def table_number(value) -> str:
    """A count or measure as the network tables print it: ``1,234``, ``1.5``, a Fraction as either; text as it is."""
    if isinstance(value, str):
        return value
    if isinstance(value, Fraction):
        value = int(value) if value.denominator == 1 else float(value)
    return f"{value:g}" if isinstance(value, float) else f"{value:,}"


def size_text(shape) -> str:
    """An output's size (channels first) for the network tables: ``'7×7 (4 channels)'``, ``'16 cells (1 channel)'``."""
    channels, *spatial = shape
    where = count(spatial[0], "cell") if len(spatial) == 1 else "×".join(map(str, spatial))
    return f"{where} ({count(channels, 'channel')})"
