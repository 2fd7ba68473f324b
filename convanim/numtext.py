"""Numbers as the figures and sentences print them: ``3``, ``-1``, ``0.25`` (integral floats as integers).

Neutral ground: the scenes write these into cells, the sentences (`convanim.pool_text`) and the pages
(`convanim.html`) into lines, and none of them has to import another for it.

>>> number(3.0), number(-0.125), cell_number(-2)
('3', '-0.125', '−2')
"""

from __future__ import annotations

__all__ = ["number", "cell_number"]


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
