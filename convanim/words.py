"""Counted nouns for messages: ``1 frame`` and ``2 frames``, never ``1 frames``.

Plain strings in, plain strings out; nothing else is imported, so any module may use it.
"""

from __future__ import annotations

__all__ = ["count", "plural"]


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``singular`` when ``n`` is 1, else ``plural_form`` (default: ``singular + "s"``)."""
    return singular if n == 1 else (plural_form or singular + "s")


def count(n: int, singular: str, plural_form: str | None = None) -> str:
    """``n`` with thousands separators and its noun: ``count(1, "frame")`` is ``"1 frame"``,
    ``count(1200, "file")`` is ``"1,200 files"``.

    >>> count(1, "file"), count(0, "file"), count(3, "box", "boxes")
    ('1 file', '0 files', '3 boxes')
    """
    return f"{n:,} {plural(n, singular, plural_form)}"
