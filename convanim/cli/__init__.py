"""The ``convanim`` command: ``shape``, ``render``, ``gallery`` and ``network``.

Bad input prints one line on stderr and exits with status 2, without a
traceback; nothing is left behind.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from .args import (  # noqa: F401 (SPEC_FLAGS ... spec_from_args: importable from convanim.cli, as before)
    EXIT_USAGE,
    POOL_FLAGS,
    SPEC_FLAGS,
    UsageError,
    _add_pool_flags,
    _add_spec_flags,
    _Parser,
    parse_padding,
    parse_size,
    pool_spec_from_args,
    spec_flags_given,
    spec_from_args,
)
from .folders import _add_gallery_flags, _add_network_flags, _cmd_gallery, _cmd_network
from .render import _add_render_flags, _cmd_explore, _cmd_render, _cmd_shape

__all__ = ["main", "parse_size", "parse_padding"]


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

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
    from ..themes import THEMES

    return THEMES


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command not in ("shape", "explain"):  # commands that write files (the import costs ~0.1 s)
        from ..encode.files import terminate_as_exception

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
