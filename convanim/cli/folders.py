"""The commands that write folders: ``gallery`` and ``network``."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

from ..words import count
from .args import _FORCE_HELP, UsageError, _add_credit_flag, parse_size

# -- gallery -----------------------------------------------------------------

def _cmd_gallery(args) -> int:
    from pathlib import Path

    from ..gallery import PRESETS, run_gallery
    from ..limits import cpu_cores

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



def _add_gallery_flags(parser: argparse.ArgumentParser) -> None:
    from ..gallery import PRESETS

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
    from ..counting import counting
    from ..netpages import summary_text, write_network
    from ..network import Network, from_torch, load_network

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

        from ..progress import Progress

        with Progress("convanim network", quiet=args.quiet) as progress:
            def each(name, anim):  # before each animation: its size if large, and a bar over its frames
                progress.announce(Path(args.output) / name, len(anim), anim.size, ".gif")
                return progress.frames(name, len(anim), anim.size, force=True)

            written = write_network(network, args.output, title=title, output_index=args.cell, theme=args.theme,
                                    force=args.force, effective=args.effective, image=args.image, progress=each)
        animations = sum(name.endswith(".gif") for name in written)
        if not args.quiet:
            *pages, last = [name for name in written if not name.endswith(".gif")]
            print(f"wrote {count(animations, 'animation')}, {', '.join(pages)} and {last} to {args.output}",
                  file=sys.stderr)
        drawable = sum(getattr(spec, "kind", None) in ("conv", "pool") for spec in network.layers)
        if animations < drawable + 1:
            print(f"some layers are not drawn: {args.output}/README.md says why", file=sys.stderr)
    return 0


def _add_network_flags(parser: argparse.ArgumentParser) -> None:
    from ..network import NETWORK_PRESETS
    from ..themes import THEMES

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
