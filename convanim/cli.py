"""The ``convanim`` command: ``shape``, ``render``, ``gallery`` and ``network``.

Bad input prints one line on stderr and exits with status 2, without a
traceback; nothing is left behind.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys

from .words import count

__all__ = ["main", "parse_size", "parse_padding"]

EXIT_USAGE = 2

_SIZE_RE = re.compile(r"^\d+([x×]\d+){0,2}$")


class UsageError(ValueError):
    """Bad command-line input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parse_size(text: str):
    """``'5'`` -> 5, ``'5x7'`` -> (5, 7), ``'3x5x7'`` -> (3, 5, 7)."""
    text = text.strip()
    if not _SIZE_RE.match(text):
        raise argparse.ArgumentTypeError(f"expected a size like 5 or 5x7, got {text!r}")
    parts = [int(p) for p in re.split("[x×]", text)]
    return parts[0] if len(parts) == 1 else tuple(parts)


def parse_padding(text: str):
    """``valid|same|full``, ``1``, ``1,2`` (per axis) or ``t,b,l,r`` (per side).

    Two numbers are per axis (2-D); four or six are per side, two per axis in
    axis order: ``top,bottom,left,right``. A 1-D view reads two numbers as
    ``left,right``.
    """
    text = text.strip().lower()
    if text in ("valid", "same", "full", "causal"):
        return text
    if not re.match(r"^\d+(,\d+)*$", text):
        raise argparse.ArgumentTypeError(
            f"expected valid, same, full, causal, 1, 1,2 (per axis) or t,b,l,r (per side), got {text!r}"
        )
    values = [int(p) for p in text.split(",")]
    if len(values) == 1:
        return values[0]
    if len(values) in (2, 3):
        return _PerAxis(values)
    if len(values) in (4, 6):
        return tuple((values[j], values[j + 1]) for j in range(0, len(values), 2))
    raise argparse.ArgumentTypeError(
        f"padding takes 1, 2 or 3 numbers (per axis) or 4 or 6 (per side), got {len(values)}"
    )


class _PerAxis(tuple):
    """A padding given as a comma list of 2 or 3 numbers (per axis, or per side in 1-D)."""


def _add_spec_flags(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group(
        "convolution",
        "PyTorch's parameters. Sizes are one number for every axis (5) or one per axis (5x7).",
    )
    g.add_argument("-i", "--input-size", type=parse_size, metavar="SIZE",
                   help="input size, e.g. 5 or 5x7 (for --transposed: the ConvTranspose layer's input)")
    g.add_argument("-k", "--kernel-size", type=parse_size, metavar="SIZE",
                   help="kernel size, e.g. 3 or 3x5")
    g.add_argument("-s", "--stride", type=parse_size, metavar="SIZE",
                   help="stride, e.g. 2 or 2x1 (default 1; with --pool: the kernel size)")
    g.add_argument("-p", "--padding", type=parse_padding, metavar="PAD",
                   help="zero padding: 1; 1,2 (per axis); 0,1,0,1 (top,bottom,left,right); "
                        "valid, same (TensorFlow's rule, any stride), full or causal (1-D: all on the left) "
                        "(default 0)")
    g.add_argument("-d", "--dilation", type=parse_size, metavar="SIZE",
                   help="dilation, e.g. 2 (default 1)")
    g.add_argument("--transposed", action="store_true", default=None,
                   help="a transposed convolution, as torch.nn.ConvTranspose2d")
    g.add_argument("--output-padding", type=parse_size, metavar="SIZE",
                   help="extra output cells at the bottom/right of a transposed convolution, "
                        "< max(stride, dilation) (default 0)")
    ch = parser.add_argument_group("channels", "PyTorch's in_channels, out_channels, groups and bias.")
    ch.add_argument("--in-channels", type=int, metavar="N", help="input channels (default 1)")
    ch.add_argument("--out-channels", type=int, metavar="N", help="output channels (default 1)")
    ch.add_argument("--groups", type=int, metavar="N",
                    help="channel groups; must divide both channel counts (default 1; = in-channels: depthwise)")
    ch.add_argument("--bias", action="store_true", default=None,
                    help="the layer adds a learned bias per output channel")
    g.add_argument("--layer", metavar="TEXT",
                   help='a PyTorch layer instead of the flags above, e.g. "nn.Conv2d(3, 8, 3, stride=2)" (with -i)')
    parser.set_defaults(spec_parser=parser)


#: The spec flags, as `spec_from_args` reads them: (dest, flag, default).
SPEC_FLAGS = (
    ("input_size", "-i/--input-size", None), ("kernel_size", "-k/--kernel-size", None), ("stride", "-s/--stride", 1),
    ("padding", "-p/--padding", 0), ("dilation", "-d/--dilation", 1), ("transposed", "--transposed", False),
    ("output_padding", "--output-padding", 0),
    ("in_channels", "--in-channels", 1), ("out_channels", "--out-channels", 1), ("groups", "--groups", 1),
    ("bias", "--bias", False),
)


def spec_flags_given(args) -> list[str]:
    """The spec flags on the command line."""
    return [flag for dest, flag, _ in SPEC_FLAGS + POOL_FLAGS if getattr(args, dest, None) is not None]


# -- pooling: --pool max|avg makes the spec flags a PoolSpec ---------------------------------

#: The pooling flags: (dest, flag, default).
POOL_FLAGS = (
    ("pool", "--pool", None), ("ceil_mode", "--ceil-mode", False),
    ("count_include_pad", "--count-include-pad/--no-count-include-pad", None),
)
#: Spec flags a pooling has no use for.
_CONV_ONLY = ("transposed", "output_padding", "in_channels", "out_channels", "groups", "bias")


def _add_pool_flags(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("pooling", "PyTorch's MaxPool/AvgPool (-i, -k, -s, -p, -d as above).")
    g.add_argument("--pool", choices=("max", "avg"), help="a pooling layer instead of a convolution")
    g.add_argument("--ceil-mode", action="store_true", default=None,
                   help="round the output size up, as ceil_mode=True")
    g.add_argument("--count-include-pad", action=argparse.BooleanOptionalAction, default=None,
                   help="average pooling: count padding cells in the divisor (default: yes, as PyTorch)")


def _pooling(args) -> bool:
    return any(getattr(args, dest, None) is not None for dest, _, _ in POOL_FLAGS)


def pool_spec_from_args(args):
    """The `PoolSpec` of ``--pool`` and the spec flags (stride: the kernel size unless given)."""
    from .pool import PoolSpec

    if not args.pool:
        flag = "--ceil-mode" if args.ceil_mode else "--count-include-pad/--no-count-include-pad"
        raise UsageError(f"{flag} is for pooling: add --pool max or --pool avg")
    for flag, value in (("-i/--input-size", args.input_size), ("-k/--kernel-size", args.kernel_size)):
        if value is None:
            raise UsageError(f"{flag} is required")
    conv_only = [flag for dest, flag, _ in SPEC_FLAGS if dest in _CONV_ONLY and getattr(args, dest) is not None]
    if getattr(args, "compare_separable", False):
        conv_only.append("--compare-separable")
    if conv_only:
        raise UsageError(f"{conv_only[0]} is for convolutions, not --pool")
    padding = 0 if args.padding is None else args.padding
    if isinstance(padding, str) or (isinstance(padding, tuple) and not isinstance(padding, _PerAxis)):
        raise UsageError(f"a pooling's padding is one number or one per axis (both sides alike), got {padding!r}")
    extra = {} if args.count_include_pad is None else {"count_include_pad": args.count_include_pad}
    return PoolSpec(args.pool, args.input_size, args.kernel_size, stride=args.stride,
                    padding=tuple(padding) if isinstance(padding, _PerAxis) else padding,
                    dilation=1 if args.dilation is None else args.dilation, ceil_mode=bool(args.ceil_mode), **extra)


def spec_from_args(args, ndim: int | None = None):
    """The `ConvSpec` the spec flags describe; ``ndim=1`` reads bare sizes as 1-D; with --pool the `PoolSpec`."""
    from .spec import ConvSpec

    if getattr(args, "layer", None) is not None:
        return _spec_from_layer(args)
    if _pooling(args):
        return pool_spec_from_args(args)
    for flag, value in (("-i/--input-size", args.input_size), ("-k/--kernel-size", args.kernel_size)):
        if value is None:
            raise UsageError(f"{flag} is required")
    value = {dest: default if getattr(args, dest) is None else getattr(args, dest) for dest, _, default in SPEC_FLAGS}
    fields = {k: value[k] for k in ("input_size", "kernel_size", "stride", "dilation", "output_padding")}
    padding = value["padding"]
    if ndim == 1:
        fields = {k: (v,) if isinstance(v, int) else v for k, v in fields.items()}
        if isinstance(padding, _PerAxis):
            if len(padding) != 2:
                raise ValueError(f"padding of a 1-D view takes 1 or 2 numbers (left,right), got {padding!r}")
            padding = (tuple(padding),)
        elif isinstance(padding, int):
            padding = (padding,)
    elif isinstance(padding, _PerAxis):
        padding = tuple(padding)
    channels = {n: value[n] for n in ("in_channels", "out_channels", "groups", "bias")}
    return ConvSpec(**fields, padding=padding, transposed=value["transposed"], **channels)


_LAYER_GIVES = ("kernel_size", "stride", "padding", "dilation", "transposed", "output_padding", "in_channels",
                "out_channels", "groups", "bias", "pool", "ceil_mode", "count_include_pad")


def _spec_from_layer(args):
    """The spec of ``--layer TEXT`` over ``-i``; the other spec flags are refused."""
    from .pytorch import parse_layer

    for action in args.spec_parser._actions:  # every spec flag but -i, whoever added it
        if action.dest in _LAYER_GIVES and getattr(args, action.dest, action.default) != action.default:
            raise UsageError(f"--layer gives the whole layer: leave out {'/'.join(action.option_strings)}")
    if args.input_size is None:
        raise UsageError("-i/--input-size is required with --layer (the spatial size of the layer's input)")
    return parse_layer(args.layer, args.input_size)


# -- shape -------------------------------------------------------------------

def _cmd_shape(args) -> int:
    if _pooling(args):
        return _cmd_shape_pool(args)
    from .explanation import explain, render_text

    spec = spec_from_args(args)
    info = explain(spec)
    if spec.kind == "pool":  # --layer "nn.MaxPool2d(...)"
        from .pool_text import render_text
    if args.compare_separable:
        from .layers import compare_separable

        info["separable"] = compare_separable(spec)
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
    else:
        print(render_text(info))
    return 0


def _cmd_shape_pool(args) -> int:
    from .pool_text import explain, render_text

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

    from . import limits, views
    from .animation import animate, check_options, check_timing
    from .encode.video import video_size
    from .progress import Progress

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
        from .encode.files import check_frame_folder

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

    from .animation import ANIMATION_FORMATS, SHEET_FORMATS, STEP_FORMATS

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
    from . import limits, views
    from .themes import THEMES

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
                           "a readable size (default: the view's cells, smaller if the frame would pass 960 px)")
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
    look.add_argument("--channel-order", choices=("channel", "position"),
                      help="a layer with channels: one output channel at a time, in PyTorch's memory order "
                           "(channel), or every output channel per position (position) (default channel)")
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


# -- gallery -----------------------------------------------------------------

def _cmd_gallery(args) -> int:
    from pathlib import Path

    from .gallery import PRESETS, run_gallery
    from .limits import cpu_cores

    jobs = args.jobs
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be >= 1, got {jobs}")
    if jobs is not None and jobs > cpu_cores():
        if not args.quiet:
            print(f"convanim gallery: note: --jobs {jobs} is more than the {cpu_cores()} cores here; "
                  f"using {cpu_cores()}", file=sys.stderr)
        jobs = cpu_cores()
    if args.check and args.force:
        raise UsageError("--force only applies without --check (--check writes nothing)")
    if args.source is None:
        # `convanim gallery --check`: every committed preset gallery under ./gallery.
        found = [name for name in PRESETS if (Path("gallery") / name).is_dir()]
        if not args.check or args.output is not None or not found:
            raise UsageError(
                "gallery needs PRESET_OR_FILE and -o DIR, "
                "or --check alone inside a checkout with gallery/PRESET folders"
            )
        return max(run_gallery(name, Path("gallery") / name, jobs=jobs, check=True, credit=args.credit)
                   for name in found)
    if args.output is None or not args.output.strip():
        raise UsageError("gallery needs -o DIR" if args.output is None
                         else f"-o needs a folder name, got {args.output!r}")
    return run_gallery(args.source, args.output, jobs=jobs, check=args.check, force=args.force, quiet=args.quiet,
                       credit=args.credit)


def _add_credit_flag(parser) -> None:
    parser.add_argument("--credit", metavar="TEXT",
                        help="a credit line written into each file's metadata (never into the pixels)")


_FORCE_HELP = "replace files in DIR that convanim did not write, or that were changed since it did"


def _add_gallery_flags(parser: argparse.ArgumentParser) -> None:
    from .gallery import PRESETS

    parser.add_argument("source", metavar="PRESET_OR_FILE", nargs="?",
                        help=f"a bundled preset ({', '.join(PRESETS)}) or a gallery .toml file; "
                             "omitted with --check: every gallery/PRESET folder here")
    parser.add_argument("-o", "--output", metavar="DIR", help="folder to write into")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="parallel processes (default and most: the cores of this machine)")
    parser.add_argument("--check", action="store_true",
                        help="render in memory and list files in DIR that differ, are missing or are extra "
                             "(exit 1 if any)")
    parser.add_argument("--force", action="store_true", help=_FORCE_HELP)
    parser.add_argument("-q", "--quiet", action="store_true", help="do not say what was written")
    _add_credit_flag(parser)


# -- network -----------------------------------------------------------------

def _parse_cell(text: str):
    """``5`` or ``5,5`` (negative from the end): an output cell."""
    if not re.match(r"^-?\d+(,-?\d+){0,2}$", text.strip()):
        raise argparse.ArgumentTypeError(f"expected a cell like 5 or 5,5, got {text!r}")
    parts = tuple(int(p) for p in text.split(","))
    return parts[0] if len(parts) == 1 else parts


def _torch_factory(text: str):
    """``package.module:factory`` -> the model the user's own factory returns (imports and runs their code)."""
    import importlib

    name, sep, attr = text.partition(":")
    if not sep or not name or not attr.isidentifier():
        raise UsageError(f"--torch must be MODULE:FACTORY, e.g. mypackage.models:resnet18, got {text!r}")
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        raise UsageError(f"--torch: cannot import {name!r} ({exc})") from None
    factory = getattr(module, attr, None)
    if not callable(factory):
        raise UsageError(f"--torch: {name} has no callable {attr!r}")
    return factory()


def _cmd_network(args) -> int:
    from .counting import counting
    from .netpages import summary_text, write_network
    from .network import Network, from_torch, load_network

    given = [x is not None for x in (args.file, args.layers, args.torch)]
    if sum(given) > 1:
        raise UsageError('network needs --layers "nn.Conv2d(...); ..." or a preset or FILE.toml, not both'
                         if args.torch is None else "network takes one of a preset, FILE.toml, --layers and --torch")
    if not any(given):
        raise UsageError('network needs a preset, FILE.toml, --layers "nn.Conv2d(...); ..." or --torch MODULE:FACTORY')
    if args.file is not None:
        title, network = load_network(args.file, args.input_size)
    elif args.torch is not None:
        if args.input_size is None:
            raise UsageError("-i/--input-size is required with --torch")
        sys.path.insert(0, os.getcwd())  # the user's own package, as `python -c` would find it
        title, network = args.torch, from_torch(_torch_factory(args.torch), args.input_size)
    else:
        if args.input_size is None:
            raise UsageError("-i/--input-size is required with --layers")
        title, network = "Network", Network(args.input_size, args.layers)
    info = network.summary(args.cell)
    if args.json:
        info["graph"] = [{"name": r["name"], "op": r["op"], "inputs": r["inputs"]} for r in info["layers"]]
        info["counting"] = counting(network)
    print(json.dumps(info, indent=2, ensure_ascii=False) if args.json else summary_text(info))
    if args.output:
        from pathlib import Path

        from .progress import Progress

        with Progress("convanim network", quiet=args.quiet) as progress:
            def each(name, anim):  # before each animation: its size if large, and a bar over its frames
                progress.announce(Path(args.output) / name, len(anim), anim.size, ".gif")
                return progress.frames(name, len(anim), anim.size, force=True)

            written = write_network(network, args.output, title=title, output_index=args.cell, theme=args.theme,
                                    force=args.force, effective=args.effective, image=args.image, progress=each)
        animations = len(written) - 2
        if not args.quiet:
            print(f"wrote {count(animations, 'animation')}, README.md and index.html to {args.output}",
                  file=sys.stderr)
        drawable = sum(getattr(spec, "kind", None) in ("conv", "pool") for spec in network.layers)
        if animations < drawable + 1:
            print(f"some layers are not drawn: {args.output}/README.md says why", file=sys.stderr)
    return 0


def _add_network_flags(parser: argparse.ArgumentParser) -> None:
    from .network import NETWORK_PRESETS
    from .themes import THEMES

    parser.add_argument("file", metavar="PRESET_OR_FILE", nargs="?",
                        help=f"a bundled network ({', '.join(NETWORK_PRESETS)}) or a .toml file: input_size and "
                             "[[layer]] tables (layer = \"nn.Conv2d(...)\"; name, inputs and join = \"add\" or \"cat\" "
                             "for branches)")
    parser.add_argument("--layers", metavar="TEXT",
                        help='layers separated by ";", e.g. "nn.Conv2d(1,1,3); nn.ReLU(); nn.MaxPool2d(2)"')
    parser.add_argument("--torch", metavar="MODULE:FACTORY",
                        help="import MODULE and call FACTORY() for a torch.nn.Module, traced with torch.fx: "
                             "this runs your own code (e.g. mypackage.models:resnet18)")
    parser.add_argument("-i", "--input-size", type=parse_size, metavar="SIZE",
                        help="the spatial input size, e.g. 32 or 32x24 (overrides the file's)")
    parser.add_argument("--cell", type=_parse_cell, metavar="I[,J]",
                        help="the output cell of the last layer whose receptive field is traced (default: centre)")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as JSON, with the graph and why other counters print other numbers")
    parser.add_argument("-o", "--output", metavar="DIR",
                        help="write one animation per layer, the receptive-field animation, README.md and index.html")
    parser.add_argument("--effective", action="store_true",
                        help="draw the receptive field as paths per input cell (a heat map)")
    parser.add_argument("--image", metavar="PHOTO",
                        help="draw the receptive field over this picture, resized to the input")
    parser.add_argument("--theme", choices=sorted(THEMES), default="classic", help="colours (default classic)")
    parser.add_argument("--force", action="store_true", help=_FORCE_HELP)
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="do not say what was written (the summary is still printed)")


# -- explore -----------------------------------------------------------------

def _cmd_explore(args) -> int:
    from .html.explore import write_explorer

    if not args.output.strip():
        raise UsageError(f"-o needs a file name, got {args.output!r}")
    write_explorer(args.output, theme=args.theme)
    if not args.quiet:
        print(f"wrote {args.output}: the explorer, {_size_text(args.output)}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(
        prog="convanim",
        description="Animations of convolution arithmetic: padding, stride, transposed and dilated.",
    )
    parser.add_argument("--version", action="version", version=f"convanim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    shape = sub.add_parser(
        "shape", help="print the output size with its formula, and the equivalent PyTorch layer",
        description="Print the output size with its formula and numbers, the guide's relationship, "
                    "leftover cells, the equivalent PyTorch layer and the input sizes that give the "
                    "same output. Example: convanim shape -i 5 -k 3 -s 2 -p 1",
    )
    _add_spec_flags(shape)
    _add_pool_flags(shape)
    shape.add_argument("--json", action="store_true", help="print the same as JSON")
    shape.add_argument("--compare-separable", action="store_true",
                       help="also print the layer's depthwise + pointwise replacement: parameters, MACs, ratio")
    shape.set_defaults(func=_cmd_shape)

    render = sub.add_parser(
        "render", help="render one animation (GIF, APNG, WebP, PDF, MP4, frames)",
        description="Render one animation. Example: convanim render -i 5 -k 3 -s 2 -p 1 -o padding_strides.gif",
    )
    _add_spec_flags(render)
    _add_pool_flags(render)
    _add_render_flags(render)
    render.set_defaults(func=_cmd_render)

    gallery = sub.add_parser(
        "gallery", help="render a whole gallery from a preset or a TOML file, with index pages",
        description="Render every case of a gallery. Example: convanim gallery classic -o gallery/classic",
    )
    _add_gallery_flags(gallery)
    gallery.set_defaults(func=_cmd_gallery)

    network = sub.add_parser(
        "network", help="summarise a stack of layers and trace a receptive field; -o DIR animates it",
        description='Per layer: output shape, parameters, MACs, receptive field, jump and start. Example: '
                    'convanim network --layers "nn.Conv2d(1,1,3); nn.Conv2d(1,1,3,stride=2)" -i 32',
    )
    _add_network_flags(network)
    network.set_defaults(func=_cmd_network)

    explore = sub.add_parser(
        "explore", help="write the explorer: one page whose controls change a layer and redraw it live",
        description="Write one self-contained HTML page with controls for a convolution's or a pooling's "
                    "parameters, its output size, PyTorch call and render command. "
                    "Example: convanim explore -o explore.html",
    )
    explore.add_argument("-o", "--output", metavar="FILE", required=True, help="the page to write (.html)")
    explore.add_argument("--theme", choices=sorted(_themes()), default="classic", help="colours (default classic)")
    explore.add_argument("-q", "--quiet", action="store_true", help="do not say what was written")
    explore.set_defaults(func=_cmd_explore)
    return parser


def _themes():
    from .themes import THEMES

    return THEMES


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command not in ("shape", "explain"):  # commands that write files (the import costs ~0.1 s)
        from .encode.files import terminate_as_exception

        terminate_as_exception()  # SIGTERM unwinds like Ctrl-C: temporary files are removed
    try:
        return args.func(args)
    except BrokenPipeError:  # `convanim shape ... | head`: the reader left; say nothing more
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, OSError) as exc:
        if isinstance(exc, ValueError) or exc.strerror is None:
            message = str(exc) or type(exc).__name__
        else:
            message = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
        print(f"convanim {args.command}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
