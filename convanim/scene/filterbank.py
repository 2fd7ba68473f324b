"""A layer's filter bank, as the channel drawings show it: ``C_out`` filters of ``C_in/groups`` k×k slices.

Pure geometry in drawing units (no matplotlib): `bank_layout` places the
filters in rows under a title, `swatch` is the square of a channel's colour
beside its name. `convanim.scene.channels` draws them, one colour per output
channel (`filter_colour`), the filter in use in full colour and outlined, the
others faded towards the background (`FADE`).

>>> from convanim import ConvSpec
>>> weight_caption(ConvSpec(5, 3, in_channels=2, out_channels=4, groups=2, bias=True))
'weight (4, 1, 3, 3): 36 weights + 4 biases = 40 parameters'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..spec import ConvSpec

__all__ = ["FILTER_COLOURS", "FADE", "filter_colour", "weight_caption", "swatch", "Bank", "bank_layout"]

#: One colour per output channel (cycled past twelve): distinct hues, readable on light and dark backgrounds.
FILTER_COLOURS = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
                  "#9a6324", "#469990", "#dcbeff", "#808000")
FADE = 0.7  # a filter not in use: its colour this far towards the background
_SLICE = 2.1  # a k×k slice is about this wide, in drawing units (input cells) ...
_CELL = (0.5, 1.0)  # ... with a cell from half an input cell to a whole one
_SLICE_GAP = 0.3  # between the slices of one filter, in bank cells
_GAP, _GROUP_GAP = 0.8, 1.6  # between filters, and between the filters of two groups


def filter_colour(o: int) -> str:
    """Output channel ``o``'s colour in the filter bank (and the swatch by its name)."""
    return FILTER_COLOURS[o % len(FILTER_COLOURS)]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def weight_caption(spec: ConvSpec) -> str:
    """The bank's title: the weight's shape and the parameter count (``'weight (3, 1, 3, 3): 27 parameters'``)."""
    shape = ", ".join(map(str, spec.weight_shape))
    weights = math.prod(spec.weight_shape)
    if not spec.bias:
        return f"weight ({shape}): {_count(weights, 'parameter')}"
    biases = f"{spec.out_channels} bias{'' if spec.out_channels == 1 else 'es'}"
    return f"weight ({shape}): {_count(weights, 'weight')} + {biases} = {spec.parameters} parameters"


def swatch(x: float, y0: float, y1: float) -> np.ndarray:
    """A square ending just left of ``x``, centred on ``y0``..``y1`` (a text's box): the corners."""
    side, mid = min(0.45, 0.8 * (y1 - y0)), (y0 + y1) / 2
    return np.array([(x - 0.15 - side, mid - side / 2), (x - 0.15, mid - side / 2),
                     (x - 0.15, mid + side / 2), (x - 0.15 - side, mid + side / 2)])


@dataclass
class Bank:
    """Where the bank's pieces go: every cell (corners) and its output channel, each filter's outline (a closed
    line) and the anchor (top centre) of its ``w[o]`` name."""

    cells: list
    owners: list
    outlines: list
    names: list


def bank_layout(spec: ConvSpec, left: float, width: float, top: float, name_w: float, name_h: float) -> Bank:
    """Filters from ``top`` down, centred on ``left``..``left + width``, in rows no wider (one filter at least).

    Filters of one group sit together, groups a wider gap apart; ``name_w`` and ``name_h`` are the size of
    the widest ``w[o]`` name (drawing units), which a filter is never narrower than.
    """
    cin_g, cout_g = spec.in_channels // spec.groups, spec.out_channels // spec.groups
    kr, kc = ((1,) * (2 - spec.ndim) + tuple(spec.kernel_size))[-2:]
    u = min(_CELL[1], max(_CELL[0], _SLICE / max(kr, kc)))
    slice_w = kc * u
    filt_w = cin_g * slice_w + (cin_g - 1) * _SLICE_GAP * u
    room = max(filt_w, 0.9 * name_w)
    places, x, row = [], 0.0, 0
    for o in range(spec.out_channels):
        if o and o % cout_g == 0:
            x += _GROUP_GAP - _GAP
        if x and x + room > width:
            x, row = 0.0, row + 1
        places.append((x, row))
        x += room + _GAP
    used = max(px for px, _ in places) + room
    x0 = left + (max(width, used) - used) / 2 if used <= width else left
    bank = Bank([], [], [], [])
    for o, (px, r) in enumerate(places):
        fx = x0 + px + (room - filt_w) / 2
        ytop = top - r * (kr * u + 1.3 * name_h + 0.5)
        for j in range(cin_g):
            sx = fx + j * (slice_w + _SLICE_GAP * u)
            for i in range(kr):
                for c in range(kc):
                    xa, ya = sx + c * u, ytop - (i + 1) * u
                    bank.cells.append(np.array([(xa, ya), (xa + u, ya), (xa + u, ya + u), (xa, ya + u)]))
                    bank.owners.append(o)
        pad, bottom = 0.12, ytop - kr * u
        bank.outlines.append(np.array([(fx - pad, ytop + pad), (fx + filt_w + pad, ytop + pad),
                                       (fx + filt_w + pad, bottom - pad), (fx - pad, bottom - pad),
                                       (fx - pad, ytop + pad)]))
        bank.names.append((fx + filt_w / 2, bottom - 0.2))
    return bank
