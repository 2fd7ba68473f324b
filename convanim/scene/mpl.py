"""matplotlib's process-wide lock and convanim's fixed style, shared by every drawing."""

from __future__ import annotations

import contextlib
import threading

import matplotlib

__all__ = ["MATPLOTLIB_LOCK", "style"]

#: Held around every use of matplotlib (re-entrant: a scene's drawing may call more drawing).
MATPLOTLIB_LOCK = threading.RLock()

# Fixed look on every machine: matplotlib's defaults, its bundled DejaVu fonts,
# text as paths in SVG, embedded TrueType in PDF, no random SVG ids.
_STYLE = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "svg.fonttype": "path",
    "svg.hashsalt": "convanim",
    "pdf.fonttype": 42,
    "savefig.facecolor": "auto",
}


@contextlib.contextmanager
def style():
    """matplotlib's default rcParams plus convanim's fixed fonts, restored on exit."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(_STYLE)
        yield
