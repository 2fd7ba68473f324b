"""The command line's arguments: sizes, paddings, the spec flags and the spec they describe."""

from __future__ import annotations

import argparse
import re

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
    from ..pool import PoolSpec

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
    from ..spec import ConvSpec

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
    from ..pytorch import parse_layer

    for action in args.spec_parser._actions:  # every spec flag but -i, whoever added it
        if action.dest in _LAYER_GIVES and getattr(args, action.dest, action.default) != action.default:
            raise UsageError(f"--layer gives the whole layer: leave out {'/'.join(action.option_strings)}")
    if args.input_size is None:
        raise UsageError("-i/--input-size is required with --layer (the spatial size of the layer's input)")
    return parse_layer(args.layer, args.input_size)



def _add_credit_flag(parser) -> None:
    parser.add_argument("--credit", metavar="TEXT",
                        help="a credit line written into each file's metadata (never into the pixels)")


_FORCE_HELP = "replace files in DIR that convanim did not write, or that were changed since it did"
