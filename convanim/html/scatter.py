"""The ``scatter`` view's page data: a transposed convolution as PyTorch computes it, one step per input cell.

Each step is ``[input cell, [kernel, region cell, kernel, region cell, ...]]`` from
`convanim.scatter.scatter_schedule` (the kernel not rotated, the region the scattered cells); ``after[k]`` holds
what each cell written at step k says after it, and ``notes[k]`` the step's sentence, both read from the scene's
own row (`convanim.scene.scatter.ScatterRow`), so the page writes what frame k of the GIF writes.
"""

from __future__ import annotations

import itertools
import math

from ..explanation import alt_text, caption, pytorch_layer
from ..numtext import cell_number
from ..themes import get_theme

__all__ = ["scatter_fields", "scatter_page_data", "theme_colours"]

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _two_d(shape) -> list[int]:
    shape = list(shape)
    return [1, shape[0]] if len(shape) == 1 else shape


def _flat(index, shape) -> int:
    pos = 0
    for i, n in zip(index, shape):
        pos = pos * n + i
    return pos


def _cells(shape):
    return itertools.product(*(range(n) for n in shape))


def theme_colours(theme) -> dict:
    """The theme's colours the player reads (CSS custom properties and SVG fills)."""
    theme = get_theme(theme)
    colours = {name: getattr(theme, name) for name in
               ("background", "input", "output", "line", "padding", "unread", "text", "accent")}
    colours.update({f"over_{name}": theme.over(getattr(theme, name)) for name in
                    ("input", "output", "padding", "unread")})
    return colours


def scatter_page_data(spec, row, *, theme="classic", durations=None, alt=None) -> dict:
    """Everything the scatter page's player reads: `scatter_fields` and the texts and colours."""
    data = scatter_fields(spec, row)
    data.update({
        "durations": list(durations) if durations is not None else [1000] * len(data["steps"]),
        "labels": None,
        "formula": caption(spec),
        "pytorch": pytorch_layer(spec),
        "alt": alt or alt_text(spec),
        "transposed": True,
        "theme": theme_colours(theme),
    })
    return data


def scatter_fields(spec, row) -> dict:
    """The grids, steps and texts of the scatter page; ``row`` is the scene's `ScatterRow`."""
    region, kshape, ishape = tuple(row.region), tuple(spec.kernel_size), tuple(spec.input_size)
    kept = [range(lo, hi) for lo, hi in row.kept]
    out_kinds = "".join("k" if all(i in r for i, r in zip(idx, kept)) else "c" for idx in _cells(region))
    (r0, r1), (c0, c1) = [(0, 1)] * (2 - spec.ndim) + list(row.kept)
    steps, after = [], []
    for step in row.steps:
        steps.append([_flat(step.source, ishape),
                      [v for wr in step.writes for v in (_flat(wr.kernel, kshape), _flat(wr.cell, region))]])
        after.append(["\n".join(row.cell_text(wr.cell, step.index)[0]) for wr in step.writes])
    values = row.values
    sub = lambda idx: "".join(str(i) for i in idx).translate(_SUB)  # noqa: E731 (the scene's names: x₁₁)
    return {
        "view": "scatter",
        "layout": "flat",
        "grid": _two_d(ishape), "out": _two_d(region), "kernel": _two_d(kshape),
        "inputShape": list(ishape), "kernelShape": list(kshape), "outShape": list(region),
        "kinds": "i" * math.prod(ishape),
        "src": list(range(math.prod(ishape))),
        "steps": steps,
        "after": after,
        "notes": [row.status(k) for k in range(len(row.steps))],
        "outKinds": out_kinds,
        "kept": [r0, c0, r1, c1],
        "keptShape": list(spec.output_shape),
        "rowNames": [row.title_texts[0], row.title_texts[1], row.title_texts[2]],
        "ops": ["×", "→"],
        "inNames": [f"x{sub(j)}" for j in _cells(ishape)],
        "wNames": [f"w{sub(t)}" for t in _cells(kshape)],
        "values": None if values is None else {"x": [cell_number(v) for v in values.x.reshape(-1)],
                                               "w": [cell_number(v) for v in values.w.reshape(-1)], "o": None},
        "matrix": None,
    }

