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

from .fields import back, node_counts, path_recurrences
from .html.network import NETWORK_PAGE, write_network_page
from .indexpages import PAGES, Entry, write_pages
from .network import Network, receptive_fields, recurrences
from .numtext import size_text, table_number
from .pool import PoolSpec
from .spec import ConvSpec
from .words import count

__all__ = ["summary_text", "join_sentence", "animate_receptive", "write_network", "layer_file", "RF_FILE"]

RF_FILE = "receptive_field.gif"
#: Layers with more kernel positions than this are listed, not animated, by `write_network`.
MAX_LAYER_FRAMES = 2500
#: The receptive-field animation draws at most this many cells across (grids side by side, or a 1-D row).
MAX_ACROSS = 1000
#: Past that it draws rasters on the input: at most this many input cells along an axis, and this many frames.
MAX_RASTER_AXIS = 2048
MAX_RASTER_FRAMES = 400
#: Nodes drawn as a frame of the raster animation (pass-through layers look like what they read).
_RASTER_OPS = ("conv", "transposed", "max", "avg", "adaptive", "add", "cat")


def _axes(values) -> str:
    """``13`` when every axis agrees, else ``13×7``; ``—`` for None."""
    if values is None:
        return "—"
    shown = [table_number(v) for v in values]
    return shown[0] if len(set(shown)) == 1 else "×".join(shown)


def _shape(shape) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ")"


def _field_text(rf: dict) -> str:
    """``'7×7 (49 cells)'``, ``'16 cells'``, with holes ``'8 of the 15 cells it spans'``."""
    if not rf["cells"]:
        return "empty (its windows read only padding)"
    size = "×".join(map(str, rf["size"]))
    if len(rf["size"]) == 1:
        return count(rf["cells"], "cell") if not rf["holes"] else f"{rf['cells']:,} of the {size} cells it spans"
    return f"{size} ({count(rf['cells'], 'cell')}{', ' + count(rf['holes'], 'hole') if rf['holes'] else ''})"


def _offset(values) -> str:
    shown = [table_number(v) for v in values]
    return shown[0] if len(set(shown)) == 1 else "(" + ", ".join(shown) + ")"


def join_sentence(row: dict) -> str:
    """Whether the paths meeting at a join are aligned (same jump and centre; Araujo et al. 2019), in one sentence."""
    first = row["inputs"][0]
    if row["aligned"]:
        return f"{row['name']}: its {len(row['inputs'])} paths are aligned (same jump and centre)"
    parts = []
    for d in row["offsets"]:
        off = d["offset"]
        side = "after" if all(v >= 0 for v in off) else "before" if all(v <= 0 for v in off) else "off"
        what = f"{d['input']} is centred {_offset([abs(v) for v in off] if side != 'off' else off)} input cells " \
               f"{side} {first}" if side != "off" else f"{d['input']} is centred {_offset(off)} input cells off {first}"
        if d["jump"] != row["jump"]:
            what += f" and steps {_axes(d['jump'])} input cells instead of {_axes(row['jump'])}"
        parts.append(what)
    return f"{row['name']}: paths misaligned: " + "; ".join(parts)


def summary_text(info: dict) -> str:
    """The summary of `Network.summary` as a table: one row per node, totals, the exact receptive field.

    A graph (a node that does not read the one before) gets a name and an
    inputs column; where paths meet, one sentence says whether they are aligned.
    """
    rows_in = info["layers"]
    graph = any(r.get("inputs", [str(r["index"] - 1)])[:1] != [rows_in[r["index"] - 2]["name"] if r["index"] > 1
                                                                 else "input"] or len(r.get("inputs", ())) > 1
                for r in rows_in)
    head = ["#", "layer", "output shape", "params", "MACs", "RF", "jump", "start"]
    if graph:
        head[1:1] = ["name", "inputs"]
    rows = [["", "input", _shape(info["input_shape"]), "", "", "1", "1", "0"]]
    if graph:
        rows[0][1:1] = ["input", ""]
    for r in rows_in:
        rf = r["receptive_field"]
        if rf is not None and r.get("receptive_field_min") not in (None, rf):
            rf = [f"{table_number(a)}-{table_number(b)}" if a != b else b for a, b in zip(r["receptive_field_min"], rf)]
        row = [str(r["index"]), r["layer"], _shape(r["output_shape"]), table_number(r["parameters"]),
               table_number(r["macs"]), _axes(rf), _axes(r["jump"]), _axes(r["start"])]
        if graph:
            row[1:1] = [r["name"], ", ".join(r["inputs"]) if len(r["inputs"]) > 1 else ""]
        rows.append(row)
    total = ["", "total", "", table_number(info["total_parameters"]), table_number(info["total_macs"]), "", "", ""]
    if graph:
        total[1:1] = ["", ""]
    rows.append(total)
    widths = [max(len(row[c]) for row in [head] + rows) for c in range(len(head))]
    left = {1, 2, 3, 4} if graph else {1, 2}

    def line(row):
        cells = [v.ljust(w) if c in left else v.rjust(w) for c, (v, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    rule = "-" * len(line(head))
    out = [rule, line(head), rule, *(line(r) for r in rows[:-1]), rule, line(rows[-1]), rule]
    joins = [r for r in rows_in if "aligned" in r]
    aligned = [r for r in joins if r["aligned"]]
    if aligned:
        out.append(f"paths are aligned (same jump and centre) where they meet at {len(aligned)} of "
                   f"{len(joins)} join{'s' if len(joins) != 1 else ''}")
    out += [join_sentence(r) for r in joins if not r["aligned"]]
    if any(r.get("receptive_field_min") not in (None, r["receptive_field"]) for r in rows_in):
        out.append("RF a-b: the smallest and the largest receptive field over the paths into the node")
    if info.get("stopped"):
        out.append(info["stopped"])
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
            size = count(rf["cells"], "cell") if not rf["holes"] else \
                f"{rf['cells']:,} of the {rf['size'][0]:,} cells it spans"
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
    names = ["input"] + [f"{n if network.is_chain else node.name} {node.text}"
                         for n, node in enumerate(network.nodes, 1)]
    args = {"masks": masks, "names": names, "parameters": sum(node.parameters for node in network.nodes)}
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
            if not network.is_chain:
                edges.append([])  # rows are nodes, not a stack: no lines between them
            elif isinstance(spec, (ConvSpec, PoolSpec)):
                steps = schedule(spec)
                pairs = {(tap.source[0], int(d)) for d in np.flatnonzero(masks[n]) for tap in steps[d].taps
                         if tap.source is not None}
                edges.append(sorted(pairs))
            else:  # every cell reads itself
                edges.append([(int(d), int(d)) for d in np.flatnonzero(masks[n])])
        args["edges"] = edges
    return args


def _on_input(grid: np.ndarray, size, jump, start) -> np.ndarray:
    """``grid`` (over a node's cells) drawn on the input: each input cell takes the node cell centred nearest it."""
    index = []
    for a, n in enumerate(size):
        k = np.floor((np.arange(n) - float(start[a])) / float(jump[a]) + 0.5).astype(int)
        index.append(k)
    valid = np.ones(tuple(size), bool)
    clipped = []
    for a, k in enumerate(index):
        ok = (k >= 0) & (k < grid.shape[a])
        valid &= ok.reshape([-1 if b == a else 1 for b in range(len(size))])
        clipped.append(np.clip(k, 0, grid.shape[a] - 1))
    return np.where(valid, grid[np.ix_(*clipped)], 0.0)


def raster_frames(network: Network, output_index=None, *, effective: bool = False) -> tuple[list, list]:
    """(tones, captions) of the raster receptive-field animation: from the output node back to the input.

    A tone is 1 where a node's cell reaches the output cell; at a node read by
    several paths, the share of those paths that reach it; with ``effective``,
    its number of paths over the largest.
    """
    from .scene.receptive import field_label

    masks = [m.astype(float) for m in receptive_fields(network, output_index)]
    counts = node_counts(network, output_index) if effective else None
    stats = path_recurrences(network)
    readers = network.consumers()
    size = network.input_size
    cell = tuple(int(i[0]) for i in np.nonzero(masks[-1]))
    label = cell if len(cell) > 1 else cell[0]
    tones, captions = [], []
    shown = [n for n in range(len(network.nodes), 0, -1) if network.nodes[n - 1].op in _RASTER_OPS] + [0]
    for n in shown:
        if effective:
            tone = counts[n] / max(float(counts[n].max()), 1e-300)
        elif len(readers[n]) > 1:
            reach = [np.minimum(back(network.nodes[r - 1].spec, masks[r]), 1) for r in readers[n]]
            tone = sum(reach) / len(reach)
        else:
            tone = masks[n]
        st = stats[n]
        tones.append(_on_input(tone, size, st["jump"], st["start"]))
        reached = int((masks[n] > 0).sum())
        if n == 0:
            what = "paths per input cell" if effective else field_label(masks[0] > 0)
            captions.append((f"input {_axes(size) if len(set(size)) > 1 else '×'.join(map(str, size))}",
                             f"receptive field of output cell {label}: {what}"))
            continue
        node = network.nodes[n - 1]
        shape = "×".join(map(str, masks[n].shape))
        note = f"{len(readers[n])} paths read it: paler cells reach the output through fewer of them" \
            if len(readers[n]) > 1 and not effective else ""
        captions.append((f"{node.name}: {node.text}"[:70],
                         f"{reached:,} of its {shape} cells reach output cell {label}; each {_axes(st['jump'])} "
                         "input cells wide", note))
    return tones, captions


def animate_receptive(network: Network, output_index=None, *, theme="classic", cell_px: int | None = None,
                      duration_ms: int | None = None, hold_last_ms: int = 2000, raster: bool | None = None,
                      effective: bool = False, image=None):
    """The `Animation` walking the receptive field of one output cell back to the input.

    Grids side by side (1-D and 2-D) while they fit, ``MAX_ACROSS`` cells
    across; past that, or with ``raster=True``, ``effective=True`` (paths per
    cell as a heat map) or ``image`` (a picture file drawn beneath, resized to
    the input), rasters on the input (2-D networks).
    """
    from .animation import Animation, _check_ms
    from .scene.base import SceneOptions
    from .themes import get_theme

    if network.ndim not in (1, 2):
        raise ValueError(f"the receptive-field animation draws 1-D and 2-D networks, got {network.ndim} axes")
    across = sum(shape[-1] for shape in network.shapes)
    if raster is None:
        raster = effective or image is not None or across > MAX_ACROSS
    if cell_px is not None and (not isinstance(cell_px, int) or isinstance(cell_px, bool) or not
                                (1 if raster else 4) <= cell_px <= 64):
        raise ValueError(f"cell_px must be an integer from {1 if raster else 4} to 64, got {cell_px!r}")
    options = SceneOptions(theme=get_theme(theme), cell_px=cell_px)
    if raster:
        from .scene.raster import RasterScene, load_picture

        if network.ndim != 2 or max(network.input_size) > MAX_RASTER_AXIS:
            raise ValueError(f"the raster receptive-field animation draws 2-D inputs of at most {MAX_RASTER_AXIS} "
                             f"cells along an axis, got {'×'.join(map(str, network.input_size))}")
        tones, captions = raster_frames(network, output_index, effective=effective)
        if len(tones) > MAX_RASTER_FRAMES:
            raise ValueError(f"the raster receptive-field animation draws at most {MAX_RASTER_FRAMES} frames, "
                             f"got {len(tones)} (one per layer and join)")
        picture = None if image is None else load_picture(image, network.input_size)
        px = cell_px or max(1, min(4, 640 // max(network.input_size)))
        scene = RasterScene(tones, captions, picture=picture, heat=effective, cell_px=px, options=options)
    else:
        from .scene.receptive import ReceptiveScene

        if across > MAX_ACROSS:
            raise ValueError(f"the receptive-field animation draws at most {MAX_ACROSS} cells across, "
                             f"got {across} (the grids side by side)")
        scene = ReceptiveScene(**_scene_args(network, output_index), options=options)
    base = _check_ms("duration_ms", duration_ms if duration_ms is not None else scene.frame_ms, 10)
    durations = [base] * len(scene)
    durations[-1] += _check_ms("hold_last_ms", hold_last_ms, 0)
    config = f"{network!r} receptive field of {output_index!r} theme={options.theme.name}"
    if raster:
        config += f" raster effective={effective} image={'yes' if image is not None else 'no'}"
    return Animation(scene, spec=None, durations=durations, alt=scene.describe(), config=config,
                     flat_colours=False)


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


def _one_d(spec) -> bool:
    """Whether the 1-D view draws layer ``spec``: a one-channel 1-D convolution without bias, at most 64 cells."""
    return (isinstance(spec, ConvSpec) and spec.ndim == 1 and spec.in_channels == spec.out_channels == 1
            and spec.groups == 1 and not spec.bias and spec.grid_shape[0] <= 64)


def write_network(network: Network, directory, *, title: str = "Network", output_index=None,
                  theme="classic", force: bool = False, effective: bool = False, image=None,
                  progress=None) -> list[str]:
    """One animation per layer, the receptive-field animation, the interactive page (``network.html``,
    `convanim.html.network`), README.md and index.html in ``directory``.

    Each layer is drawn by `convanim.animate` (a one-channel 1-D convolution by
    the 1-D view, rows of cells with the sum written out; any other layer in the
    flat layout, cells sized to the grid); a layer it cannot draw is listed on
    the pages with the reason.
    Every file it may write is checked first: one in ``directory`` that its
    manifest does not record with its current content is refused, naming it,
    unless ``force`` (see `convanim.encode.owned`). ``progress(name, anim)``,
    when given, is called before each animation is written and returns
    `Animation.save`'s per-frame callback (or None). Returns the files written.
    """
    from .encode import owned

    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"output must be a directory, got the file {str(directory)!r}")
    names = [layer_file(n, spec) for n, spec in enumerate(network.layers, 1)
             if isinstance(spec, (ConvSpec, PoolSpec))] + [RF_FILE, NETWORK_PAGE, *PAGES]
    owned.refuse_unowned(directory, names, force=force)  # every file, before anything is drawn
    directory.mkdir(parents=True, exist_ok=True)
    with owned.writing_into(directory, force=force):
        return _write_network(network, directory, title, output_index, theme, effective, image, progress)


def _write_network(network: Network, directory: Path, title: str, output_index, theme, effective: bool,
                   image, progress) -> list[str]:
    from .animation import animate

    info = network.summary(output_index)
    rows = {r["index"]: r for r in info["layers"]}
    cases, infos, written, skipped = [], [], [], []
    plain = [node for node in network.nodes if not isinstance(node.spec, (ConvSpec, PoolSpec))]
    if plain:
        skipped.append(f"{len(plain)} node{'s' if len(plain) != 1 else ''} (joins, pass-through layers, adaptive "
                       "pooling) have no kernel positions to animate")
    for n, spec in enumerate(network.layers, 1):
        if not isinstance(spec, (ConvSpec, PoolSpec)):
            continue
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
            if _one_d(drawn):  # a row of cells, its window's taps and the sum: the 1-D view's drawing
                anim = animate(drawn, view="1d", theme=theme, labels=True, duration_ms=300)
            else:
                anim = animate(drawn, layout="flat", theme=theme, cell_px=_layer_cell_px(spec), labels=True,
                               duration_ms=300)
        except ValueError as exc:
            skipped.append(f"layer {n} {rows[n]['layer']}: not drawn ({exc})")
            continue
        anim.save(directory / name, progress=progress and progress(name, anim))
        written.append(name)
        r = rows[n]
        cases.append(Entry(name=name[:-4], file=name, description=f"layer {n}: {r['layer']}{note}"))
        infos.append({"alt": anim.alt, "size": anim.size, "formula": size_text(r["output_shape"]),
                      "pytorch": r["layer"],
                      "params": f"{count(r['parameters'], 'parameter')}, RF {_axes(r['receptive_field'])}, "
                                f"jump {_axes(r['jump'])}, {count(len(anim), 'frame')}"})
    try:
        anim = animate_receptive(network, output_index, theme=theme, effective=effective, image=image)
    except ValueError as exc:
        skipped.append(f"receptive field: not drawn ({exc})")
    else:
        anim.save(directory / RF_FILE, progress=progress and progress(RF_FILE, anim))
        written.append(RF_FILE)
        rf = info["receptive_field"]
        cell = rf["output_cell"]
        about = f"the receptive field of output cell {_shape(cell) if len(cell) > 1 else cell[0]}, layer by layer"
        cases.append(Entry(name="receptive_field", file=RF_FILE, description=about))
        infos.append({"alt": anim.alt, "size": anim.size, "formula": size_text(network.output_shape),
                      "pytorch": "", "params": f"receptive field {_field_text(rf)}"})
    links = []
    try:
        write_network_page(directory / NETWORK_PAGE, network, output_index, theme=theme, title=title)
    except ValueError as exc:
        skipped.append(f"interactive page: not written ({exc})")
    else:
        written.append(NETWORK_PAGE)
        links.append((NETWORK_PAGE, "The interactive page: hover any cell of any layer to light the cells it "
                                    "depends on in every earlier layer"))
    intro = summary_text(info) + "".join(f"\n{s}" for s in skipped)
    write_pages(directory, title, cases, infos, intro=intro, command="network", links=links,
                lead=getattr(network, "description", ""))
    return written + ["README.md", "index.html"]
