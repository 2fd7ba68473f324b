"""What the public functions accept as an integer: Python's and numpy's, never a bool.

>>> import numpy as np
>>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0), plain(np.uint8(7))
(True, True, False, False, 7)
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path

__all__ = ["is_int", "plain", "integer", "file_path"]


def is_int(value) -> bool:
    """Python and numpy integers; not bools (Python's or numpy's), floats or strings."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and type(value).__name__ != "bool_"


def plain(value):
    """A numpy integer as a Python int; anything else unchanged (for the checks that follow to judge)."""
    return int(value) if is_int(value) and type(value) is not int else value


def integer(name: str, value, rule: str = "an integer") -> int:
    """``value`` as a Python int, or one sentence: ``step must be an integer from 0 to 8, got '0'``."""
    if not is_int(value):
        raise ValueError(f"{name} must be {rule}, got {value!r:.60}")
    return int(value)


def file_path(name: str, value) -> Path:
    """``value`` as a Path, or one sentence when it is not a file path."""
    if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
        raise ValueError(f"{name} must be a file path (a str or os.PathLike), got {value!r:.60}")
    return Path(value)
