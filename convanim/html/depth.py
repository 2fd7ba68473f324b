"""A 3-D convolution's page data: the grid view's flat layout, depth slices side by side (`convanim.scene.flat3d`).

The drawn grid keeps its three axes: cell ``n`` is the row-major place of (depth, row, column), as in the steps
`convanim.html.grid_data` reads from `convanim.schedule.schedule`. Per step the page also gets the step's
``footprint`` (outlined on every slice it spans) and ``depthKernel``, which depth slice of the kernel lies on which
input slice (``w[j, :, :]`` over slice ``d``), both read from the same steps the scene draws, and the scene's own
titles.

>>> from convanim import ConvSpec
>>> data = depth_fields(ConvSpec((3, 4, 4), 2, padding=(0, 1, 1)))
>>> data["grid"], data["out"], data["layout"], len(data["steps"])
([3, 6, 6], [2, 5, 5], 'depth', 50)
>>> data["footprints"][0], data["depthKernel"][0]
([[0, 1], [0, 1], [0, 1]], [[0, 0], [1, 1]])
"""

from __future__ import annotations

from ..explanation import alt_text, caption, dims, input_label, output_label, pytorch_layer
from . import grid_data
from .scatter import theme_colours

__all__ = ["depth_fields", "depth_page_data"]


def depth_fields(spec) -> dict:
    """The grids, steps and per-step marks of a 3-D ``spec`` (no texts or colours: `depth_page_data` adds them)."""
    if spec.ndim != 3:
        raise ValueError(f"the depth-slice page draws 3-D convolutions, got {spec.ndim} axes")
    data = grid_data(spec)
    steps = data.pop("scheduled")
    data.update({
        "layout": "depth",
        "footprints": [[list(axis) for axis in step.footprint] for step in steps],
        "depthKernel": [[list(p) for p in sorted({(t.cell[0], t.kernel[0]) for t in step.taps})] for step in steps],
        "titles": [input_label(spec) + " (one grid per depth index)",
                   f"{output_label(spec)}, kernel {dims(spec.kernel_size)}"],
    })
    return data


def depth_page_data(spec, *, theme="classic", durations=None, alt=None) -> dict:
    """Everything the player reads for a 3-D convolution (`depth_fields`, the texts and the theme's colours)."""
    data = depth_fields(spec)
    data.update({
        "view": "grid",
        "durations": list(durations) if durations is not None else [1000] * len(data["steps"]),
        "labels": None,
        "formula": caption(spec),
        "pytorch": pytorch_layer(spec),
        "alt": alt or alt_text(spec),
        "transposed": spec.transposed,
        "values": None,
        "theme": theme_colours(theme),
    })
    return data
