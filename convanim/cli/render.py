"""The commands about one layer: ``shape``, ``render`` and ``explore``."""

from __future__ import annotations

import argparse
import json
import sys

from ..words import count
from .args import UsageError, _add_credit_flag, _pooling, pool_spec_from_args, spec_flags_given, spec_from_args

# -- shape -------------------------------------------------------------------

def _cmd_shape(args) -> int:
    if _pooling(args):
        return _cmd_shape_pool(args)
    from ..explanation import explain, render_text

    spec = spec_from_args(args)
    info = explain(spec)
    if spec.kind == "pool":  # --layer "nn.MaxPool2d(...)"
        from ..pool_text import render_text
    if args.compare_separable:
        from ..layers import compare_separable

        info["separable"] = compare_separable(spec)
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
    else:
        print(render_text(info))
    return 0


def _cmd_shape_pool(args) -> int:
    from ..pool_text import explain, render_text

    info = explain(pool_spec_from_args(args))
    print(json.dumps(info, indent=2, ensure_ascii=False) if args.json else render_text(info))
    return 0


# -- render ------------------------------------------------------------------

#: render's option flags: dest -> `animate` option (all default to None: None means "not given").
_RENDER_OPTIONS = (
    "layout", "view", "theme", "cell_px", "labels", "caption", "duration_ms", "hold_first_ms", "hold_last_ms",
    "values", "seed", "flip", "radius", "credit", "max_frames", "max_pixels", "max_frame_pixels", "channel_order",
    "width",
)


def _flag(name: str) -> str:
    return "-i/-k and the other convolution flags" if name == "spec" else "--" + name.replace("_", "-")


def _size_text(path) -> str:
    from pathlib import Path

    n = Path(path).stat().st_size
    return f"{n / 1000:,.0f} KB" if n >= 1000 else f"{n} bytes"


def _cmd_render(args) -> int:
    import math
    from pathlib import Path

    from .. import limits, views
    from ..animation import animate, check_options, check_timing
    from ..encode.video import video_size
    from ..progress import Progress

    given = {name: getattr(args, name) for name in _RENDER_OPTIONS if getattr(args, name) is not None}
    view = given.get("view", "grid")
    if args.fps is not None:
        if not (math.isfinite(args.fps) and 1000 / 300_000 <= args.fps <= 100):
            raise UsageError(f"--fps must be a number from 0.004 to 100, got {args.fps:g}")
        given["duration_ms"] = round(1000 / args.fps)
    check_options(_spell=_flag, **given)
    timed_ext = None if args.step is not None or args.sheet or not args.output else Path(args.output).suffix
    check_timing(timed_ext, {"duration_ms": 0} if args.fps is not None else given,
                 spell=lambda name: "--fps" if args.fps is not None else _flag(name))
    if not views.get(view).draws_spec:  # f * g of two functions: no grid, no spec
        flags = spec_flags_given(args)
        if flags:
            raise UsageError(f"{flags[0]} only applies to --view {views.or_list(views.applies('spec'))}")
        spec = None
    else:
        spec = spec_from_args(args, ndim=views.get(view).bare_ndim)
    for flag, value in (("-o", args.output), ("--frames", args.frames)):
        if value is not None and not value.strip():
            raise UsageError(f"{flag} needs a {'file' if flag == '-o' else 'folder'} name, got {value!r}")
    if not (args.output or args.frames or args.alt):
        raise UsageError("render needs -o OUT, --frames DIR or --alt")
    if args.frame_format is not None and not args.frames:
        raise UsageError("--frame-format only applies with --frames DIR")
    if args.step is not None and not args.output:
        raise UsageError("--step only applies with -o OUT (--frames DIR writes every step)")
    if args.step is not None and args.frames:
        raise UsageError("--step and --frames cannot be combined: --step writes one step to -o, --frames every step")
    if args.sheet and not args.output:
        raise UsageError("--sheet only applies with -o OUT")
    if args.sheet and args.step is not None:
        raise UsageError("--step and --sheet cannot be combined: a sheet shows every step")
    if args.output and Path(args.output).suffix.lower() == ".html" and args.step is None and not args.sheet:
        views.check_page(view)  # before drawing anything
    anim = animate(spec, **given)
    if args.sheet:
        limits.check_sheet(len(anim), anim.size, given.get("max_frame_pixels", limits.MAX_FRAME_PIXELS))
    if args.step is not None and not 1 <= args.step <= len(anim):
        raise UsageError(f"--step must be between 1 and {len(anim)} (steps count from 1, as on the page and in "
                         f"the PDF), got {args.step}")
    say = (lambda line: None) if args.quiet else (lambda line: print(line, file=sys.stderr))
    if args.output:
        _check_output(args.output, args.step, args.sheet)
    if args.frames:  # a file of the user's there is refused before -o is written
        from ..encode.files import check_frame_folder

        check_frame_folder(args.frames, len(anim), stem="step", ext=f".{args.frame_format or 'png'}", first=1)
    if args.alt:
        print(anim.alt)
    wrote = []
    steps = count(len(anim), "step")
    with Progress("convanim render", quiet=args.quiet) as progress:
        if args.output:
            every = args.step is None and not args.sheet  # every frame, into one file
            ext = Path(args.output).suffix.lower()
            if every:
                progress.announce(args.output, len(anim), anim.size, ext)
            bar = progress.frames(Path(args.output).name, len(anim), anim.size) if every else None
            path = anim.save(args.output, step=None if args.step is None else args.step - 1, sheet=args.sheet,
                             progress=bar)
            w, h = video_size(*anim.size) if every and ext == ".mp4" else anim.size  # H.264 sizes are even
            if args.sheet:
                wrote.append(f"wrote {path}: a contact sheet of {steps}, {_size_text(path)}")
            elif args.step is not None:
                wrote.append(f"wrote {path}: step {args.step}, {w}x{h} px, {_size_text(path)}")
            elif ext == ".html":
                wrote.append(f"wrote {path}: an interactive page of {steps}, {_size_text(path)}")
            else:
                wrote.append(f"wrote {path}: {count(len(anim), 'frame')}, {w}x{h} px, {_size_text(path)}")
        if args.frames:
            fmt = args.frame_format or "png"
            progress.announce(args.frames, len(anim), anim.size, fmt)
            try:
                paths = anim.save_frames(args.frames, fmt=fmt,
                                         progress=progress.frames(args.frames, len(anim), anim.size))
            except BaseException:
                if args.output:  # all or nothing: no -o file without its --frames
                    path.unlink(missing_ok=True)
                raise
            wrote.append(f"wrote {count(len(paths), 'frame')} to {args.frames}")
    for line in wrote:
        say(line)
    return 0


def _check_output(output: str, step, sheet: bool) -> None:
    """Refuse an -o file `Animation.save` would refuse, before anything is written."""
    from pathlib import Path

    from ..animation import ANIMATION_FORMATS, SHEET_FORMATS, STEP_FORMATS

    ext = Path(output).suffix.lower()
    if sheet:
        allowed, what = SHEET_FORMATS, "a contact sheet"
    elif step is not None:
        allowed, what = STEP_FORMATS, "a single step"
    elif ext == ".svg":
        raise UsageError("an .svg file holds one step: add --step K, or write every step with "
                         "--frames DIR --frame-format svg")
    else:
        allowed, what = ANIMATION_FORMATS, "an animation"
    if ext not in allowed:
        raise UsageError(f"{what} is written as {', '.join(allowed)}, got {ext or 'no extension'!r}")


def _add_render_flags(parser: argparse.ArgumentParser) -> None:
    from .. import limits, views
    from ..themes import THEMES

    parser.add_argument("-o", "--output", metavar="OUT",
                        help="output file; the format comes from the extension: .gif, .png (APNG), "
                             ".apng, .webp, .pdf (one page per step), .mp4 (needs convanim[mp4]), "
                             ".html (an interactive page); "
                             "with --step also .svg")
    look = parser.add_argument_group("look")
    look.add_argument("--layout", choices=sorted(views.LAYOUTS),
                      help="classic: slanted grids as in conv_arithmetic; flat: top-down, side by side")
    look.add_argument("--view", choices=views.names(),
                      help="grid: the layout; 1d / continuous: the 1-D views; values: cells with numbers "
                           "or symbols; matrix: convolution as a matrix-vector product; scatter / both / overlap: a "
                           "transposed convolution as PyTorch computes it, beside the zero-insertion view, and its "
                           "overlap counts (default grid)")
    look.add_argument("--theme", choices=sorted(THEMES), help="colours (default classic)")
    look.add_argument("--cell-px", type=int, metavar="N", help="cell size in pixels (default: the layout's)")
    look.add_argument("--width", type=int, metavar="PX",
                      help="the width the figure will be shown at, in pixels: cells are sized for it, text keeps "
                           "a readable size (default: the view's cells, smaller if the frame would pass 960x800 px)")
    look.add_argument("--labels", action="store_true", default=None, help="name the grids with their sizes")
    look.add_argument("--caption", action="store_true", default=None,
                      help="write the output-size formula under the drawing")
    look.add_argument("--values", metavar="symbols|random|FILE",
                      help="cell values for the values/1d/matrix views: symbols, random, a .npy input "
                           "or a .npz with 'input' and 'kernel' (default symbols); for a layer with channels "
                           "a .npz with 'input', 'weight' and 'bias'")
    look.add_argument("--seed", type=int, help="seed for --values random or a .npy input's kernel (default 0)")
    look.add_argument("--flip", action="store_true", default=None,
                      help="1d view: the mathematical convolution (kernel flipped) instead of the "
                           "cross-correlation deep-learning layers compute")
    look.add_argument("--radius", type=float,
                      help="continuous view: radius r of the half disc g, 0.1 to 10 (default 1)")
    look.add_argument("--channel-order", choices=("auto", "channel", "position"),
                      help="a layer with channels: one output channel at a time, in PyTorch's memory order "
                           "(channel), or every output channel per position (position); default auto: "
                           "position for a depthwise layer with one filter per channel, channel for any other")
    timing = parser.add_argument_group("timing (GIF stores 10 ms units: durations are rounded)")
    rate = timing.add_mutually_exclusive_group()
    rate.add_argument("--fps", type=float, help="frames per second")
    rate.add_argument("--duration-ms", type=int, metavar="N", help="time per frame in ms (default: the view's)")
    timing.add_argument("--hold-first-ms", type=int, metavar="N",
                        help="extra time on the first frame, in ms")
    timing.add_argument("--hold-last-ms", type=int, metavar="N",
                        help="extra time on the last frame, in ms")
    _add_credit_flag(look)
    pieces = parser.add_argument_group("pieces for slides")
    pieces.add_argument("--step", type=int, metavar="K", help="write only step K to -o (the first step is 1)")
    pieces.add_argument("--frames", metavar="DIR", help="write one file per step into DIR")
    pieces.add_argument("--frame-format", choices=("png", "svg", "pdf"),
                        help="format of --frames files (default png)")
    pieces.add_argument("--sheet", action="store_true", help="write a numbered contact sheet of all steps to -o")
    pieces.add_argument("--alt", action="store_true", help="print a one-sentence description for alt text")
    limit = parser.add_argument_group("limits (see the README's Limits section)")
    limit.add_argument("--max-frames", type=int, metavar="N",
                       help=f"refuse animations of more than N frames (default {limits.MAX_FRAMES:,})")
    limit.add_argument("--max-pixels", type=int, metavar="N",
                       help=f"refuse animations of more than N pixels in all frames (default {limits.MAX_PIXELS:,})")
    limit.add_argument("--max-frame-pixels", type=int, metavar="N",
                       help=f"refuse frames of more than N pixels (default {limits.MAX_FRAME_PIXELS:,})")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not say what was written")


# -- explore -----------------------------------------------------------------

def _cmd_explore(args) -> int:
    from ..html.explore import write_explorer

    if not args.output.strip():
        raise UsageError(f"-o needs a file name, got {args.output!r}")
    write_explorer(args.output, theme=args.theme)
    if not args.quiet:
        print(f"wrote {args.output}: the explorer, {_size_text(args.output)}", file=sys.stderr)
    return 0
