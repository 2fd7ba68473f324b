"""The ``convanim`` command: ``shape``, ``render`` and ``gallery``.

Bad input prints one line on stderr and exits with status 2, without a
traceback; nothing is left behind.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

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
    if text in ("valid", "same", "full"):
        return text
    if not re.match(r"^\d+(,\d+)*$", text):
        raise argparse.ArgumentTypeError(
            f"expected valid, same, full, 1, 1,2 (per axis) or t,b,l,r (per side), got {text!r}"
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
    g.add_argument("-s", "--stride", type=parse_size, default=1, metavar="SIZE",
                   help="stride, e.g. 2 or 2x1 (default 1)")
    g.add_argument("-p", "--padding", type=parse_padding, default=0, metavar="PAD",
                   help="zero padding: 1; 1,2 (per axis); 0,1,0,1 (top,bottom,left,right); "
                        "valid, same (TensorFlow's rule, any stride) or full (default 0)")
    g.add_argument("-d", "--dilation", type=parse_size, default=1, metavar="SIZE",
                   help="dilation, e.g. 2 (default 1)")
    g.add_argument("--transposed", action="store_true",
                   help="a transposed convolution, as torch.nn.ConvTranspose2d")
    g.add_argument("--output-padding", type=parse_size, default=0, metavar="SIZE",
                   help="extra output cells at the bottom/right of a transposed convolution, "
                        "< max(stride, dilation) (default 0)")


def spec_from_args(args, ndim: int | None = None):
    """The `ConvSpec` the spec flags describe; ``ndim=1`` reads bare sizes as 1-D."""
    from .spec import ConvSpec

    for flag, value in (("-i/--input-size", args.input_size), ("-k/--kernel-size", args.kernel_size)):
        if value is None:
            raise UsageError(f"{flag} is required")
    fields = {
        "input_size": args.input_size,
        "kernel_size": args.kernel_size,
        "stride": args.stride,
        "dilation": args.dilation,
        "output_padding": args.output_padding,
    }
    padding = args.padding
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
    return ConvSpec(**fields, padding=padding, transposed=args.transposed)


# -- shape -------------------------------------------------------------------

def _cmd_shape(args) -> int:
    from .explanation import explain, render_text

    info = explain(spec_from_args(args))
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
    else:
        print(render_text(info))
    return 0


# -- render ------------------------------------------------------------------

def _cmd_render(args) -> int:
    from .animation import animate

    if args.view == "continuous":  # f * g of two functions: no grid, no spec
        spec = None
    else:
        spec = spec_from_args(args, ndim=1 if args.view == "1d" else None)
    if args.fps is not None:
        if args.fps <= 0:
            raise ValueError(f"fps must be > 0, got {args.fps:g}")
        duration = round(1000 / args.fps)
    else:
        duration = args.duration_ms
    anim = animate(
        spec,
        layout=args.layout,
        view=args.view,
        theme=args.theme,
        cell_px=args.cell_px,
        labels=args.labels,
        caption=args.caption,
        duration_ms=duration,
        hold_first_ms=args.hold_first_ms,
        hold_last_ms=args.hold_last_ms,
        values=args.values,
        seed=args.seed,
        flip=args.flip,
        radius=args.radius,
    )
    if args.alt:
        print(anim.alt)
    if args.frames:
        paths = anim.save_frames(args.frames, fmt=args.frame_format)
        print(f"wrote {len(paths)} frames to {args.frames}", file=sys.stderr)
    if args.output:
        anim.save(args.output, step=args.step, sheet=args.sheet)
    elif not args.frames and not args.alt:
        raise UsageError("render needs -o OUT, --frames DIR or --alt")
    return 0


def _add_render_flags(parser: argparse.ArgumentParser) -> None:
    from .scene import LAYOUTS, VIEWS
    from .themes import THEMES

    parser.add_argument("-o", "--output", metavar="OUT",
                        help="output file; the format comes from the extension: .gif, .png (APNG), "
                             ".apng, .webp, .pdf (one page per step), .mp4 (needs convanim[mp4]); "
                             "with --step also .svg")
    look = parser.add_argument_group("look")
    look.add_argument("--layout", choices=sorted(LAYOUTS), default="classic",
                      help="classic: slanted grids as in conv_arithmetic; flat: top-down, side by side")
    look.add_argument("--view", choices=list(VIEWS), default="grid",
                      help="grid: the layout; 1d / continuous: the 1-D views; values: cells with numbers "
                           "or symbols; matrix: convolution as a matrix-vector product (default grid)")
    look.add_argument("--theme", choices=sorted(THEMES), default="classic", help="colours (default classic)")
    look.add_argument("--cell-px", type=int, metavar="N", help="cell size in pixels (default: the layout's)")
    look.add_argument("--labels", action="store_true", help="name the grids with their sizes")
    look.add_argument("--caption", action="store_true", help="write the output-size formula under the drawing")
    look.add_argument("--values", default="symbols", metavar="symbols|random|FILE",
                      help="cell values for the values/1d/matrix views: symbols, random, a .npy input "
                           "or a .npz with 'input' and 'kernel' (default symbols)")
    look.add_argument("--seed", type=int, default=0, help="seed for --values random (default 0)")
    look.add_argument("--flip", action="store_true",
                      help="1d view: the mathematical convolution (kernel flipped) instead of the "
                           "cross-correlation deep-learning layers compute")
    look.add_argument("--radius", type=float, default=1.0,
                      help="continuous view: radius r of the half disc g (default 1)")
    timing = parser.add_argument_group("timing (GIF stores 10 ms units: durations are rounded)")
    rate = timing.add_mutually_exclusive_group()
    rate.add_argument("--fps", type=float, help="frames per second")
    rate.add_argument("--duration-ms", type=int, metavar="N", help="time per frame in ms (default: the view's)")
    timing.add_argument("--hold-first-ms", type=int, default=0, metavar="N",
                        help="extra time on the first frame, in ms")
    timing.add_argument("--hold-last-ms", type=int, default=0, metavar="N",
                        help="extra time on the last frame, in ms")
    pieces = parser.add_argument_group("pieces for slides")
    pieces.add_argument("--step", type=int, metavar="K", help="write only step K (0-based) to -o")
    pieces.add_argument("--frames", metavar="DIR", help="write one file per step into DIR")
    pieces.add_argument("--frame-format", choices=("png", "svg", "pdf"), default="png",
                        help="format of --frames files (default png)")
    pieces.add_argument("--sheet", action="store_true", help="write a numbered contact sheet of all steps to -o")
    pieces.add_argument("--alt", action="store_true", help="print a one-sentence description for alt text")


# -- gallery -----------------------------------------------------------------

def _cmd_gallery(args) -> int:
    from pathlib import Path

    from .gallery import PRESETS, run_gallery

    if args.source is None:
        # `convanim gallery --check`: every committed preset gallery under ./gallery.
        found = [name for name in PRESETS if (Path("gallery") / name).is_dir()]
        if not args.check or args.output is not None or not found:
            raise UsageError(
                "gallery needs PRESET_OR_FILE and -o DIR, "
                "or --check alone inside a checkout with gallery/PRESET folders"
            )
        return max(run_gallery(name, Path("gallery") / name, jobs=args.jobs, check=True) for name in found)
    if args.output is None:
        raise UsageError("gallery needs -o DIR")
    return run_gallery(args.source, args.output, jobs=args.jobs, check=args.check)


def _add_gallery_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="PRESET_OR_FILE", nargs="?",
                        help="a bundled preset (classic, extended, post) or a gallery .toml file; "
                             "omitted with --check: every gallery/PRESET folder here")
    parser.add_argument("-o", "--output", metavar="DIR", help="folder to write into")
    parser.add_argument("--jobs", type=int, metavar="N", help="parallel processes (default: all cores)")
    parser.add_argument("--check", action="store_true",
                        help="render in memory and list files in DIR that differ (exit 1 if any)")


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
    shape.add_argument("--json", action="store_true", help="print the same as JSON")
    shape.set_defaults(func=_cmd_shape)

    render = sub.add_parser(
        "render", help="render one animation (GIF, APNG, WebP, PDF, MP4, frames)",
        description="Render one animation. Example: convanim render -i 5 -k 3 -s 2 -p 1 -o padding_strides.gif",
    )
    _add_spec_flags(render)
    _add_render_flags(render)
    render.set_defaults(func=_cmd_render)

    gallery = sub.add_parser(
        "gallery", help="render a whole gallery from a preset or a TOML file, with index pages",
        description="Render every case of a gallery. Example: convanim gallery classic -o gallery/classic",
    )
    _add_gallery_flags(gallery)
    gallery.set_defaults(func=_cmd_gallery)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command not in ("shape", "explain"):  # commands that write files (the import costs ~0.1 s)
        from .encode.files import terminate_as_exception

        terminate_as_exception()  # SIGTERM unwinds like Ctrl-C: temporary files are removed
    try:
        return args.func(args)
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
