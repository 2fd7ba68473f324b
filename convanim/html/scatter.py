"""The ``scatter`` view's page data: a transposed convolution as PyTorch computes it, one step per input cell.

Each step is ``[input cell, [kernel, region cell, kernel, region cell, ...]]`` from
`convanim.scatter.scatter_schedule` (the kernel not rotated, the region the scattered cells); ``after[k]`` holds
what each cell written at step k says after it, and ``notes[k]`` the step's sentence, both read from the scene's
own row (`convanim.scene.scatter.ScatterRow`), so the page writes what frame k of the GIF writes.
"""

from __future__ import annotations

import itertools
import math

from ..explanation import alt_text, caption, dims, pytorch_layer
from ..numtext import cell_number
from ..scatter import kept_slices, region_shape, scatter_schedule
from ..themes import get_theme

__all__ = ["scatter_fields", "scatter_page_data", "overlap_page_data", "both_page_data", "theme_colours"]

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
    return _finish(scatter_fields(spec, row), spec, theme, durations, alt)


def overlap_page_data(spec, scene, *, theme="classic", durations=None, alt=None) -> dict:
    """The overlap view's page: one step, each region cell saying how many input cells feed it (the scene's
    ``counts``), hover linking from the scatter schedule."""
    titles = ["input " + dims(spec.input_size), "kernel " + dims(spec.kernel_size) + ", not rotated",
              f"scattered {dims(region_shape(spec))}, kept {dims(spec.output_shape)}"]
    data = _fields(spec, titles, None)
    data.update({"view": "overlap", "steps": [[-1, []]], "after": [[]], "notes": [scene.describe()],
                 "said": [str(int(n)) for n in scene.counts.reshape(-1)]})
    return _finish(data, spec, theme, durations, alt)


def both_page_data(spec, scene, grid, *, theme="classic", durations=None, alt=None) -> dict:
    """The both view's page: the scatter page above the zero-insertion view (``grid``: `convanim.html.grid_data` of
    the same spec), whose outputs fill in as they complete (``finish``, `convanim.scatter.finish_steps`), the last
    one completed at each step featured (``featured``) with its window, as the scene draws them."""
    row = scene.row
    data = scatter_fields(spec, row)
    last = len(row.steps) - 1
    kshape = tuple(spec.kernel_size)
    lo = [ax.lo for ax in spec.axes]
    src = grid["src"]
    featured = []
    for k in range(len(row.steps)):
        cell = scene._featured(k)
        featured.append(-1 if cell is None else _flat(cell, spec.output_shape))
    data.update({
        "view": "both",
        "bands": [["input", "kernel", "output"], ["zin", "zk", "zout"]],
        "zgrid": grid["grid"], "zout": grid["out"],
        "zkinds": grid["kinds"],
        "zsrc": src,
        "zsteps": grid["steps"],
        "zNames": ["zeros inserted, drawn " + dims(spec.grid_shape), "kernel rotated 180°",
                   "output " + dims(spec.output_shape)],
        "zops": ["∗", "="],
        # the weight shown at each drawn kernel cell: the kernel rotated 180°
        "zw": [_flat(tuple(n - 1 - v for n, v in zip(kshape, t)), kshape) for t in _cells(kshape)],
        "finish": [int(v) for v in scene.finish.reshape(-1)],
        "final": ["\n".join(row.cell_text(tuple(i + lo_ for i, lo_ in zip(idx, [a for a, _ in row.kept])), last)[0]
                             or ["0"]) for idx in _cells(spec.output_shape)],
        "featured": featured,
        "zstatus": [scene._status(k) for k in range(len(row.steps))],
        "zcurrent": [_flat([lo_ + j * ax.step for lo_, j, ax in zip(lo, step.source, spec.axes)], spec.grid_shape)
                     if all(0 <= lo_ + j * ax.step < n for lo_, j, ax, n in zip(lo, step.source, spec.axes,
                                                                                 spec.grid_shape)) else -1
                     for step in row.steps],
    })
    return _finish(data, spec, theme, durations, alt)


def _finish(data, spec, theme, durations, alt) -> dict:
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
    data = _fields(spec, row.title_texts, row.values)
    data.update({
        "view": "scatter",
        "steps": data["links"],
        "after": [["\n".join(row.cell_text(wr.cell, step.index)[0]) for wr in step.writes] for step in row.steps],
        "notes": [row.status(k) for k in range(len(row.steps))],
    })
    return data


def _fields(spec, titles, values) -> dict:
    """The grids of a transposed convolution computed as PyTorch does: the input, the kernel (not rotated) and the
    scattered region, and ``links``: `convanim.scatter.scatter_schedule` as ``[input cell, [kernel, region cell,
    ...]]`` per input cell."""
    region, kshape, ishape = tuple(region_shape(spec)), tuple(spec.kernel_size), tuple(spec.input_size)
    slices = kept_slices(spec)
    kept = [range(lo, hi) for lo, hi in slices]
    out_kinds = "".join("k" if all(i in r for i, r in zip(idx, kept)) else "c" for idx in _cells(region))
    (r0, r1), (c0, c1) = [(0, 1)] * (2 - spec.ndim) + list(slices)
    links = [[_flat(step.source, ishape),
              [v for wr in step.writes for v in (_flat(wr.kernel, kshape), _flat(wr.cell, region))]]
             for step in scatter_schedule(spec)]
    sub = lambda idx: "".join(str(i) for i in idx).translate(_SUB)  # noqa: E731 (the scene's names: x₁₁)
    return {
        "layout": "flat",
        "grid": _two_d(ishape), "out": _two_d(region), "kernel": _two_d(kshape),
        "inputShape": list(ishape), "kernelShape": list(kshape), "outShape": list(region),
        "kinds": "i" * math.prod(ishape),
        "src": list(range(math.prod(ishape))),
        "links": links,
        "outKinds": out_kinds,
        "kept": [r0, c0, r1, c1],
        "keptShape": list(spec.output_shape),
        "rowNames": list(titles),
        "ops": ["×", "→"],
        "inNames": [f"x{sub(j)}" for j in _cells(ishape)],
        "wNames": [f"w{sub(t)}" for t in _cells(kshape)],
        "values": None if values is None else {"x": [cell_number(v) for v in values.x.reshape(-1)],
                                               "w": [cell_number(v) for v in values.w.reshape(-1)], "o": None},
    }
