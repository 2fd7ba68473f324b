"""Benchmarks, printed in one run on one machine (never timed assertions in tests).

    python scripts/bench.py            # drawing, encoding, the classic gallery: about a minute
    python scripts/bench.py --quick    # fewer repeats
    python scripts/bench.py --long     # more repeats, whole baselines and the memory table (minutes, GBs)

    python scripts/bench.py --only memory --sizes 8,16,32   # one section
    python scripts/bench.py --only large --baseline ../main   # the large render, against another checkout

Drawing is measured for convanim's two layouts against three baselines drawing
the same flat scene: a naive script that makes a new matplotlib figure per
frame (what most one-off scripts do), the fairest hand-written script (one
figure reused, every cell in one collection whose face colours are updated per
frame), and a pure-numpy painter that copies a base frame and fills the changed
cells (the lower bound). convanim's per-animation setup (building the scene and
drawing its static background) is reported apart and excluded from the
per-frame figures. Targets (issue 3): drawing <= 10x the numpy bound and >= 20x
faster than the naive script at 18x18 drawn cells; encoding <= 1 ms/frame.
Encoding is reported warm and for the first encode in a fresh process (which
builds the 64 MiB colour table). Peak memory and wall time of `convanim render
-i N -k 3` are measured in child processes (issue 13: peak RSS < 400 MB at every
size, time linear in frames). The classic gallery (issue 4) is timed from a cold
process; its bytes are compared with conv_arithmetic's 15 GIFs (3,398,746 bytes)
when the reference GIFs are found in ../shared/reference/conv_arithmetic.
The large render (issue 18) is `convanim render -i 32 -k 3` at the default size
(900 frames) from a cold process: target under 3 s. Before issue 18 it drew
950x1172 px frames whole: about 6 s in the issue, 3.9 s against this version's
1.9 s in one run on the two-core machine this was written on. ``--baseline
DIR`` times another checkout (say one from before) in the same run,
alternating with this one, so both see the same load.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convanim import ConvSpec, schedule  # noqa: E402
from convanim.schedule import cell_kind  # noqa: E402
from convanim.themes import THEMES, hex_to_rgb  # noqa: E402


def _reference() -> Path:
    """``../shared/reference/conv_arithmetic`` from the repository root (for a git worktree: from its main checkout)."""
    roots = [ROOT]
    git = ROOT / ".git"
    if git.is_file() and git.read_text().startswith("gitdir:"):  # a worktree: .git names <main>/.git/worktrees/<name>
        roots.append(Path(git.read_text().split(":", 1)[1].strip()).parents[2])
    candidates = [root.parent / "shared" / "reference" / "conv_arithmetic" for root in roots]
    return next((c for c in candidates if c.is_dir()), candidates[0])


REFERENCE = _reference()
REFERENCE_BYTES = 3_398_746
CASES = {"7x7": ConvSpec(5, 3, stride=2, padding=1), "18x18": ConvSpec(16, 3, padding=1)}
CELL = 24  # px, the same for every painter


def median_ms(fn, n_frames: int, repeats: int) -> float:
    """Median over ``repeats`` runs of the time per frame of ``fn(k)`` for every frame."""
    runs = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        for k in range(n_frames):
            fn(k)
        runs.append((time.perf_counter() - t0) * 1000 / n_frames)
    return statistics.median(runs)


def numpy_painter(spec: ConvSpec):
    """The lower bound: copy a base frame, fill the changed cells (flat, top-down)."""
    theme = THEMES["classic"]
    gh, gw = spec.grid_shape
    oh, ow = spec.output_shape
    width = (gw + ow + 3) * CELL
    height = (max(gh, oh) + 2) * CELL
    base = np.empty((height, width, 3), np.uint8)
    base[:] = hex_to_rgb(theme.background)
    colors = {k: np.array(hex_to_rgb(getattr(theme, k))) for k in ("input", "output", "padding")}
    shaded = {k: np.array(hex_to_rgb(theme.over(getattr(theme, k)))) for k in ("input", "output", "padding")}

    def fill(img, r, c, color, x0):
        y, x = CELL + r * CELL, x0 + c * CELL
        img[y + 1 : y + CELL, x + 1 : x + CELL] = color

    kinds = {}
    for r in range(gh):
        for c in range(gw):
            kinds[r, c] = "input" if cell_kind(spec, (r, c)) == "input" else "padding"
            fill(base, r, c, colors[kinds[r, c]], CELL)
    out_x = (gw + 2) * CELL
    for r in range(oh):
        for c in range(ow):
            fill(base, r, c, colors["output"], out_x)
    steps = schedule(spec)

    def frame(k):
        img = base.copy()
        for tap in steps[k].taps:
            fill(img, *tap.cell, shaded[kinds[tap.cell]], CELL)
        fill(img, *steps[k].out, shaded["output"], out_x)
        return img

    return frame


def naive_painter(spec: ConvSpec):
    """What most scripts do: a new figure per frame, one Rectangle per cell."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    theme = THEMES["classic"]
    gh, gw = spec.grid_shape
    oh, ow = spec.output_shape
    width = (gw + ow + 3) * CELL
    height = (max(gh, oh) + 2) * CELL
    steps = schedule(spec)

    def frame(k):
        fig = Figure(figsize=(width / 100, height / 100), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width / CELL)
        ax.set_ylim(height / CELL, 0)
        ax.axis("off")
        taps = {t.cell for t in steps[k].taps}
        for r in range(gh):
            for c in range(gw):
                kind = "input" if cell_kind(spec, (r, c)) == "input" else "padding"
                color = getattr(theme, kind)
                ax.add_patch(Rectangle((1 + c, 1 + r), 1, 1, facecolor=theme.over(color) if (r, c) in taps
                                       else color, edgecolor=theme.line, linewidth=1))
        for r in range(oh):
            for c in range(ow):
                color = theme.over(theme.output) if (r, c) == steps[k].out else theme.output
                ax.add_patch(Rectangle((gw + 2 + c, 1 + r), 1, 1, facecolor=color, edgecolor=theme.line))
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()

    return frame


def reuse_painter(spec: ConvSpec):
    """The fairest hand-written script: one figure, all cells one collection, face colours updated per frame."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure

    theme = THEMES["classic"]
    gh, gw = spec.grid_shape
    oh, ow = spec.output_shape
    width = (gw + ow + 3) * CELL
    height = (max(gh, oh) + 2) * CELL
    steps = schedule(spec)
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width / CELL)
    ax.set_ylim(height / CELL, 0)
    ax.axis("off")
    boxes, colours, where = [], [], {}
    for r in range(gh):
        for c in range(gw):
            kind = "input" if cell_kind(spec, (r, c)) == "input" else "padding"
            where["in", r, c] = len(boxes)
            boxes.append([(1 + c, 1 + r), (2 + c, 1 + r), (2 + c, 2 + r), (1 + c, 2 + r)])
            colours.append(getattr(theme, kind))
    for r in range(oh):
        for c in range(ow):
            where["out", r, c] = len(boxes)
            x = gw + 2 + c
            boxes.append([(x, 1 + r), (x + 1, 1 + r), (x + 1, 2 + r), (x, 2 + r)])
            colours.append(theme.output)
    base = np.array([to_rgba(c) for c in colours])
    over = np.array([to_rgba(theme.over(c)) for c in colours])
    cells = PolyCollection(boxes, facecolors=base, edgecolors=theme.line, linewidths=1)
    ax.add_collection(cells)

    def frame(k):
        faces = base.copy()
        shaded = [where[("in", *t.cell)] for t in steps[k].taps] + [where[("out", *steps[k].out)]]
        faces[shaded] = over[shaded]
        cells.set_facecolor(faces)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()

    return frame


def bench_drawing(repeats: int, sample: int) -> None:
    from convanim import animate

    print("Drawing, ms per frame (median of runs; ratio to the numpy lower bound).")
    print("naive: a new figure per frame; reuse: one figure, one collection, face colours updated per frame.")
    print(f"{'case':8} {'frames':>6} {'numpy':>8} {'naive':>9} {'reuse':>8} {'classic':>9} {'flat':>9} "
          f"{'classic/numpy':>13} {'flat/numpy':>10} {'naive/flat':>10} {'reuse/flat':>10} {'reuse/classic':>13}")
    setups = []
    for name, spec in CASES.items():
        n = len(schedule(spec))
        numpy_ms = median_ms(numpy_painter(spec), n, repeats)
        naive_frames = min(n, sample)  # the naive script is slow: a sample of frames is enough
        naive_ms = median_ms(naive_painter(spec), naive_frames, 1)
        reuse = reuse_painter(spec)
        reuse(0)  # its first draw caches fonts and the renderer, as convanim's first frame does
        reuse_ms = median_ms(reuse, n, repeats)
        row = {}
        for layout in ("classic", "flat"):
            t0 = time.perf_counter()
            anim = animate(spec, layout=layout, cell_px=CELL)
            t1 = time.perf_counter()
            anim.array(0)  # the first frame draws the static background once
            t2 = time.perf_counter()
            row[layout] = median_ms(anim.array, n, repeats)
            setups.append((name, layout, (t1 - t0) * 1000, (t2 - t1) * 1000 - row[layout]))
        print(f"{name:8} {n:6d} {numpy_ms:8.2f} {naive_ms:9.2f} {reuse_ms:8.2f} {row['classic']:9.2f} "
              f"{row['flat']:9.2f} {row['classic'] / numpy_ms:12.1f}x {row['flat'] / numpy_ms:9.1f}x "
              f" {naive_ms / row['flat']:9.1f}x {reuse_ms / row['flat']:9.1f}x {reuse_ms / row['classic']:12.1f}x")
    print("convanim's setup per animation (not in the per-frame figures above): "
          "building the scene + drawing the static background")
    for name, layout, build_ms, background_ms in setups:
        total = build_ms + background_ms
        print(f"  {name:6} {layout:8} {build_ms:6.1f} ms + {background_ms:6.1f} ms = {total:6.1f} ms")


def bench_encoding(repeats: int, sample: int | None) -> None:
    """convanim's encoder on every frame; Pillow's defaults (slow: 50-300 ms a frame at 18x18) on the first
    ``sample`` frames (all with None), its bytes compared with convanim's on the same frames."""
    from PIL import Image

    from convanim import animate
    from convanim.encode import encode_gif_bytes

    print("\nEncoding GIF, ms per frame and bytes (convanim vs Pillow's defaults on RGB frames)")
    for name, spec in CASES.items():
        for layout in ("classic", "flat"):
            anim = animate(spec, layout=layout)
            frames = list(anim.scene.frames())
            encode_gif_bytes(frames, anim.durations, **anim.encoder_options)  # warm-up (one-off table allocation)
            runs = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                data = encode_gif_bytes(frames, anim.durations, **anim.encoder_options)
                runs.append((time.perf_counter() - t0) * 1000 / len(frames))
            some = frames if sample is None else frames[:sample]
            ours = data if len(some) == len(frames) else encode_gif_bytes(some, anim.durations[:len(some)],
                                                                          **anim.encoder_options)
            buf = io.BytesIO()
            t0 = time.perf_counter()
            images = [Image.fromarray(f) for f in some]
            images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=1000, loop=0)
            pil_ms = (time.perf_counter() - t0) * 1000 / len(some)
            on = "" if len(some) == len(frames) else f" (first {len(some)} frames: convanim {len(ours):,d} bytes)"
            print(f"{name:6} {layout:8} {len(frames):4d} frames: {statistics.median(runs):6.2f} ms/frame, "
                  f"{len(data):8,d} bytes | Pillow defaults {pil_ms:6.2f} ms/frame, {buf.tell():8,d} bytes{on}")


_FIRST_ENCODE = """
import time
from convanim import animate
from convanim.encode import encode_gif_bytes
anim = animate(input_size=5, kernel_size=3, stride=2, padding=1)
frames = list(anim.scene.frames())
times = []
for _ in range(3):
    t0 = time.perf_counter()
    encode_gif_bytes(frames, anim.durations, **anim.encoder_options)
    times.append((time.perf_counter() - t0) * 1000 / len(frames))
print(len(frames), *times)
"""


def bench_first_encode() -> None:
    """The first encode in a fresh process (it builds the 64 MiB colour table) against the next ones."""
    done = subprocess.run([sys.executable, "-c", _FIRST_ENCODE], capture_output=True, text=True, check=True, cwd=ROOT)
    n, first, second, third = done.stdout.split()
    print(f"first encode in a fresh process, {n}-frame padding_strides GIF: {float(first):.2f} ms/frame "
          f"(builds the 64 MiB colour table); then {float(second):.2f} and {float(third):.2f} ms/frame warm")


# Runs one command and prints its peak RSS (KiB) and wall time. A child's ru_maxrss on Linux starts at its
# parent's RSS at fork time, so the command is started from this small process, not from the benchmark.
_MEASURE = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - t0
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, wall)
print(done.stderr.strip().splitlines()[-1] if done.returncode and done.stderr.strip() else "")
"""


def bench_memory(sizes: list[int]) -> None:
    """Peak RSS and wall time of `convanim render -i N -k 3` for both layouts, each in its own child process."""
    from PIL import Image

    print("\nRender to GIF in a child process: peak RSS (ru_maxrss of that child) and wall time")
    print(f"{'command':72} {'frames':>6} {'size px':>10} {'peak RSS':>9} {'wall s':>7} {'ms/frame':>9}")
    for layout in ("classic", "flat"):
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "x.gif"
                cmd = ["render", "-i", str(n), "-k", "3", "--layout", layout]
                for _ in range(2):
                    shown = "convanim " + " ".join(cmd)
                    done = subprocess.run(
                        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "convanim.cli", *cmd, "-o", str(out)],
                        cwd=ROOT, capture_output=True, text=True, check=True,
                    )
                    first, reason = (done.stdout.splitlines() + [""])[:2]
                    code, peak_kib, wall = first.split()
                    if int(code) and "--max-pixels" in reason and "--max-pixels" not in cmd:
                        cmd += ["--max-pixels", str(10**12)]  # past the default limit: measured with the override
                        continue
                    break
                if int(code):
                    print(f"{shown:72} refused or failed (exit {code}): {reason}")
                    continue
                with Image.open(out) as im:
                    w, h = im.size
                frames = (n - 2) ** 2  # one per output cell
                print(f"{shown:72} {frames:6d} {w:4d}x{h:<5d} {int(peak_kib) / 1024:6.0f} MB {float(wall):7.1f} "
                      f"{float(wall) * 1000 / frames:9.1f}")


def bench_gallery_encoding() -> None:
    from convanim import animate
    from convanim.encode import encode_gif_bytes
    from convanim.gallery import load_gallery

    _, cases = load_gallery("classic")
    total_ms = frames_n = 0
    for case in cases:
        anim = animate(ConvSpec(**case.spec), **case.options)
        frames = list(anim.scene.frames())
        t0 = time.perf_counter()
        encode_gif_bytes(frames, anim.durations, **anim.encoder_options)
        total_ms += (time.perf_counter() - t0) * 1000
        frames_n += len(frames)
    print(f"classic gallery: {total_ms / frames_n:.2f} ms/frame over its {frames_n} frames")


def bench_gallery() -> None:
    print("\nThe classic gallery (15 GIFs) from a cold process")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "convanim.cli", "gallery", "classic", "-o", tmp], check=True,
                       cwd=ROOT)
        wall = time.perf_counter() - t0
        gifs = sorted(Path(tmp).glob("*.gif"))
        total = sum(p.stat().st_size for p in gifs)
        print(f"wall time: {wall:.2f} s for {len(gifs)} GIFs (the reference LaTeX pipeline: about 266 s)")
        print(f"total bytes: {total:,d} = {total / REFERENCE_BYTES:.2f}x the reference's {REFERENCE_BYTES:,d}")
        if not REFERENCE.is_dir():
            print(f"reference GIFs not found at {REFERENCE}: the per-file comparison with conv_arithmetic "
                  "is skipped (the reference total above is the published figure)")
        else:
            from PIL import Image

            print(f"{'file':42} {'ours px':>9} {'ref px':>9} {'ours B':>8} {'ref B':>8} {'ratio':>6}")
            for p in gifs:
                ref = REFERENCE / p.name
                if not ref.exists():
                    continue
                with Image.open(p) as a, Image.open(ref) as b:
                    ours, theirs = a.size, b.size
                print(f"{p.name:42} {ours[0]:4d}x{ours[1]:<4d} {theirs[0]:4d}x{theirs[1]:<4d} "
                      f"{p.stat().st_size:8,d} {ref.stat().st_size:8,d} "
                      f"{p.stat().st_size / ref.stat().st_size:6.2f}")


LARGE = ["render", "-i", "32", "-k", "3", "-q"]
LARGE_BEFORE = ("900 frames of 950x1172 px, drawn and encoded whole: 3.9 s median where this took 1.9 s "
                "(same run, load 2, 2 cores; the issue measured about 6 s)")


def _render_seconds(source: Path, out: Path) -> float:
    """Wall time of `convanim render` LARGE from a cold process running the package in ``source``."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "convanim.cli", *LARGE, "-o", str(out)], check=True, cwd=source, env=env)
    return time.perf_counter() - t0


def bench_large(repeats: int, baseline: Path | None) -> None:
    """`convanim render -i 32 -k 3` at the default size from a cold process (issue 18: under 3 s)."""
    from PIL import Image

    print(f"\nThe large render: convanim {' '.join(LARGE)} (900 frames at the default size), cold process")
    sources = {"this checkout": ROOT} | ({"baseline " + str(baseline): baseline} if baseline else {})
    times: dict[str, list[float]] = {name: [] for name in sources}
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            for name, source in sources.items():  # alternating: both see the same load
                loads.append(os.getloadavg()[0])
                times[name].append(_render_seconds(source, Path(tmp) / "large.gif"))
                if name == "this checkout":
                    with Image.open(Path(tmp) / "large.gif") as im:
                        size, frames, nbytes = im.size, im.n_frames, (Path(tmp) / "large.gif").stat().st_size
        for name, runs in times.items():
            print(f"  {name:30} median {statistics.median(runs):5.2f} s of {len(runs)} "
                  f"({', '.join(f'{t:.2f}' for t in runs)})")
    print(f"  frames: {frames} of {size[0]}x{size[1]} px, {nbytes:,d} bytes (target: under 3 s)")
    print(f"  before issue 18: {LARGE_BEFORE}")
    print(f"  load average while measured (2 cores here): {min(loads):.1f} to {max(loads):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--long", action="store_true",
                        help="5 repeats, the baselines on every frame, and the memory table: renders up to -i 64 "
                             "in child processes (minutes, GBs of RAM)")
    parser.add_argument("--sizes", default="8,16,32,64", help="input sizes of the memory table (default 8,16,32,64)")
    parser.add_argument("--only", choices=["drawing", "encoding", "memory", "gallery", "large"],
                        help="run one section")
    parser.add_argument("--baseline", type=Path, help="a checkout to time the large render against (its root)")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5 if args.long else 3
    sample = None if args.long else 64  # frames of the slow baselines (the naive script: at most 40 either way)
    sizes = [int(v) for v in args.sizes.split(",") if v]
    if args.only in (None, "drawing"):
        bench_drawing(repeats, 40 if args.long else 16)
    if args.only in (None, "encoding"):
        bench_encoding(repeats, sample)
        bench_first_encode()
        bench_gallery_encoding()
    if args.only == "memory" or (args.only is None and args.long):
        bench_memory(sizes)
    if args.only in (None, "gallery"):
        bench_gallery()
    if args.only in (None, "large"):
        bench_large(1 if args.quick else 3, args.baseline)


if __name__ == "__main__":
    main()
