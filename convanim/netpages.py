"""A network's summary table, its receptive-field animation, and a folder of its animations with index pages.

>>> from convanim.network import Network
>>> print(summary_text(Network(8, "nn.Conv2d(1, 1, 3)").summary()).splitlines()[-1])
receptive field of output cell (3, 3): 3×3 (9 cells), input rows 3..5, columns 3..5
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from .network import Network, receptive_fields, recurrences
from .words import count

__all__ = ["summary_text", "animate_receptive", "write_network", "layer_file", "RF_FILE"]

RF_FILE = "receptive_field.gif"
#: Layers with more kernel positions than this are listed, not animated, by `write_network`.
MAX_LAYER_FRAMES = 2500
#: The receptive-field animation draws at most this many cells across (grids side by side, or a 1-D row).
MAX_ACROSS = 1000


def _num(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return f"{value:,}"


def _axes(values) -> str:
    """``13`` when every axis agrees, else ``13×7``; ``—`` for None."""
    if values is None:
        return "—"
    shown = [_num(v) for v in values]
    return shown[0] if len(set(shown)) == 1 else "×".join(shown)


def _shape(shape) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ")"


def summary_text(info: dict) -> str:
    """The summary of `Network.summary` as a table: one row per layer, totals, the exact receptive field."""
    head = ["#", "layer", "output shape", "params", "MACs", "RF", "jump", "start"]
    rows = [["", "input", _shape(info["input_shape"]), "", "", "1", "1", "0"]]
    for r in info["layers"]:
        rows.append([str(r["index"]), r["layer"], _shape(r["output_shape"]), _num(r["parameters"]), _num(r["macs"]),
                     _axes(r["receptive_field"]), _axes(r["jump"]), _axes(r["start"])])
    rows.append(["", "total", "", _num(info["total_parameters"]), _num(info["total_macs"]), "", "", ""])
    widths = [max(len(row[c]) for row in [head] + rows) for c in range(len(head))]
    left = {1, 2}

    def line(row):
        cells = [v.ljust(w) if c in left else v.rjust(w) for c, (v, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    rule = "-" * len(line(head))
    out = [rule, line(head), rule, *(line(r) for r in rows[:-1]), rule, line(rows[-1]), rule]
    rf = info["receptive_field"]
    cell = rf["output_cell"]
    label = _shape(cell) if len(cell) > 1 else cell[0]
    if not rf["cells"]:
        out.append(f"receptive field of output cell {label}: empty (its windows read only padding)")
    else:
        spans = [f"{a}..{b}" for a, b in zip(rf["first"], rf["last"])]
        where = f"rows {spans[0]}, columns {spans[1]}" if len(spans) == 2 else ", ".join(spans)
        holes = f", {count(rf['holes'], 'hole')}" if rf["holes"] else ""
        if len(cell) == 1:
            size = count(rf["cells"], "cell") if not rf["holes"] else f"{rf['cells']:,} of {rf['size'][0]:,} cells"
            out.append(f"receptive field of output cell {label}: {size}, input {where}")
        else:
            out.append(f"receptive field of output cell {label}: "
                       f"{'×'.join(map(str, rf['size']))} ({count(rf['cells'], 'cell')}{holes}), input {where}")
    if any(r["receptive_field"] is None for r in info["layers"]):
        out.append("RF —: a transposed layer's receptive field varies from cell to cell; "
                   "receptive_field() gives each exactly")
    return "\n".join(out)


# -- the receptive-field animation -------------------------------------------

def _scene_args(network: Network, output_index) -> dict:
    """Plain values for `convanim.scene.receptive.ReceptiveScene`."""
    from .schedule import schedule

    masks = receptive_fields(network, output_index)
    names = ["input"] + [f"{n} {name}" for n, name in enumerate(network.names, 1)]
    args = {"masks": masks, "names": names}
    if network.ndim == 1:
        rec = recurrences(network)
        if len({len(m) for m in masks}) == 1 and all(jump[0] == 1 for _, jump, _ in rec):
            # every layer keeps the length (causal or 'same' padding): cell i above cell i, as WaveNet draws it
            args["centres"] = [np.arange(len(m), dtype=float) for m in masks]
        else:  # each cell at its centre on the input
            args["centres"] = [float(start[0]) + float(jump[0]) * np.arange(len(m))
                               for (_, jump, start), m in zip(rec, masks)]
        args["widths"] = [min(1.0, float(jump[0])) for _, jump, _ in rec]
        edges = []
        for n, spec in enumerate(network.layers, 1):
            steps = schedule(spec)
            pairs = {(tap.source[0], int(d)) for d in np.flatnonzero(masks[n]) for tap in steps[d].taps
                     if tap.source is not None}
            edges.append(sorted(pairs))
        args["edges"] = edges
    return args


def animate_receptive(network: Network, output_index=None, *, theme="classic", cell_px: int | None = None,
                      duration_ms: int | None = None, hold_last_ms: int = 2000):
    """The `Animation` walking the receptive field of one output cell back to the input (1-D and 2-D)."""
    from .animation import Animation, _check_ms
    from .scene.base import SceneOptions
    from .scene.receptive import ReceptiveScene
    from .themes import get_theme

    if network.ndim not in (1, 2):
        raise ValueError(f"the receptive-field animation draws 1-D and 2-D networks, got {network.ndim} axes")
    across = sum(shape[-1] for shape in network.shapes)
    if across > MAX_ACROSS:
        raise ValueError(f"the receptive-field animation draws at most {MAX_ACROSS} cells across, "
                         f"got {across} (the grids side by side)")
    if cell_px is not None and (not isinstance(cell_px, int) or isinstance(cell_px, bool) or not 4 <= cell_px <= 64):
        raise ValueError(f"cell_px must be an integer from 4 to 64, got {cell_px!r}")
    options = SceneOptions(theme=get_theme(theme), cell_px=cell_px)
    scene = ReceptiveScene(**_scene_args(network, output_index), options=options)
    base = _check_ms("duration_ms", duration_ms if duration_ms is not None else scene.frame_ms, 10)
    durations = [base] * len(scene)
    durations[-1] += _check_ms("hold_last_ms", hold_last_ms, 0)
    config = f"{network!r} receptive field of {output_index!r} theme={options.theme.name}"
    return Animation(scene, spec=None, durations=durations, alt=scene.describe(), config=config, flat_colours=False)


# -- a folder -------------------------------------------------------------------

def layer_file(n: int, spec) -> str:
    """``01_conv2d_k3_s2.gif``: the file of layer ``n`` (1-based)."""
    from .pytorch import layer_slug

    return f"{n:02d}_{layer_slug(spec)}.gif"


def _layer_cell_px(spec) -> int:
    """A flat-layout cell size that keeps the drawing near 320 px per grid (at least 8 px)."""
    biggest = max(max(spec.grid_shape), max(spec.output_shape))
    size = max(8, min(40, 320 // biggest))
    return size - size % 2


def write_network(network: Network, directory, *, title: str = "Network", output_index=None,
                  theme="classic", progress=None) -> list[str]:
    """One animation per layer, the receptive-field animation, README.md and index.html in ``directory``.

    Each layer is drawn by `convanim.animate` (flat layout, cells sized to the
    grid); a layer it cannot draw is listed on the pages with the reason.
    ``progress(name, anim)``, when given, is called before each animation is
    written and returns `Animation.save`'s per-frame callback (or None).
    Returns the files written.
    """
    from .animation import animate
    from .gallery import PAGES, Case, is_gallery_page, write_pages

    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"output must be a directory, got the file {str(directory)!r}")
    for page in PAGES:
        if (directory / page).exists() and not is_gallery_page(directory / page):
            raise ValueError(f"{directory / page} is not a page convanim wrote: not overwriting it "
                             "(use another folder)")
    directory.mkdir(parents=True, exist_ok=True)
    info = network.summary(output_index)
    rows = {r["index"]: r for r in info["layers"]}
    cases, infos, written, skipped = [], [], [], []
    for n, spec in enumerate(network.layers, 1):
        name = layer_file(n, spec)
        frames = math.prod(spec.output_shape) * getattr(spec, "out_channels", 1)
        if frames > MAX_LAYER_FRAMES:
            skipped.append(f"layer {n} {rows[n]['layer']}: not drawn ({frames:,} kernel positions, more than "
                           f"{MAX_LAYER_FRAMES:,}; convanim render --layer draws it alone)")
            continue
        drawn, note = spec, ""
        if getattr(spec, "channels", 1) > 1:  # a pooling: every channel is pooled alone, the same way
            drawn, note = dataclasses.replace(spec, channels=1), f" (one of its {spec.channels} channels)"
        try:
            anim = animate(drawn, layout="flat", theme=theme, cell_px=_layer_cell_px(spec), labels=True,
                           duration_ms=300)
        except ValueError as exc:
            skipped.append(f"layer {n} {rows[n]['layer']}: not drawn ({exc})")
            continue
        anim.save(directory / name, progress=progress and progress(name, anim))
        written.append(name)
        r = rows[n]
        cases.append(Case(name=name[:-4], file=name, description=f"layer {n}: {r['layer']}{note}"))
        infos.append({"alt": anim.alt, "size": anim.size, "formula": "", "pytorch": r["layer"],
                      "params": f"output {_shape(r['output_shape'])}, RF {_axes(r['receptive_field'])}, "
                                f"jump {_axes(r['jump'])}, {count(len(anim), 'frame')}"})
    try:
        anim = animate_receptive(network, output_index, theme=theme)
    except ValueError as exc:
        skipped.append(f"receptive field: not drawn ({exc})")
    else:
        anim.save(directory / RF_FILE, progress=progress and progress(RF_FILE, anim))
        written.append(RF_FILE)
        rf = info["receptive_field"]
        about = f"the receptive field of output cell {tuple(rf['output_cell'])}, layer by layer"
        cases.append(Case(name="receptive_field", file=RF_FILE, description=about))
        infos.append({"alt": anim.alt, "size": anim.size, "formula": "", "pytorch": "",
                      "params": f"{'×'.join(map(str, rf['size']))}, {count(rf['cells'], 'cell')}"})
    intro = summary_text(info) + "".join(f"\n{s}" for s in skipped)
    write_pages(directory, title, cases, infos, intro=intro)
    return written + ["README.md", "index.html"]
