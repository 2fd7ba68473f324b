"""What the public functions accept as an integer: Python's and numpy's, never a bool.

>>> import numpy as np
>>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0), plain(np.uint8(7))
(True, True, False, False, 7)
"""

from __future__ import annotations

import numbers

__all__ = ["is_int", "plain"]


def is_int(value) -> bool:
    """Python and numpy integers; not bools (Python's or numpy's), floats or strings."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and type(value).__name__ != "bool_"


def plain(value):
    """A numpy integer as a Python int; anything else unchanged (for the checks that follow to judge)."""
    return int(value) if is_int(value) and type(value) is not int else value
