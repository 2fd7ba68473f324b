"""A layer with channels, groups or bias: its page data (the grid view's channel drawing, `convanim.scene.channels`).

Every input channel is a slice of the same grid, every output channel a slice of the output; frame k shows the
output channels and the step of the scene's own `frame_content` (``frames``), so the page steps as the GIF does.
Output channel ``o`` reads the ``in_channels / groups`` input slices of its group through its filter slices.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from ..explanation import alt_text, caption, pytorch_layer
from ..numtext import cell_number
from .scatter import theme_colours

__all__ = ["layer_page_data"]


def layer_page_data(spec, scene, one: dict, *, theme="classic", durations=None, alt=None) -> dict:
    """``one``: `convanim.html.grid_data` of one channel of ``spec`` (its grids and schedule, shared by every
    slice); ``scene``: the `ChannelScene` drawing the GIF."""
    frames = []
    for k in range(len(scene)):
        outs, s = scene.frame_content(k)
        frames.append([list(outs), s])
    g = spec.groups
    data = dict(one)
    data.update({
        "view": "grid",
        "layout": "layer",
        "layer": {"in": spec.in_channels, "out": spec.out_channels, "groups": g, "bias": bool(spec.bias),
                  "order": scene.order},
        "frames": frames,
        "durations": list(durations) if durations is not None else [1000] * len(frames),
        "labels": None,
        "formula": caption(replace(spec, in_channels=1, out_channels=1, groups=1, bias=False)),
        "pytorch": pytorch_layer(spec),
        "alt": alt or alt_text(spec),
        "transposed": spec.transposed,
        "values": None,
        "theme": theme_colours(theme),
    })
    values = getattr(scene, "values", None)  # the values view's `LayerValues`
    if values is not None:
        cin, cout = spec.in_channels // g, spec.out_channels // g
        kernels = list(itertools.product(*(range(n) for n in spec.kernel_size)))

        def weight(o, j):  # the kernel slice joining input slice j of o's group to output o, as the scene reads it
            n = (o // cout) * cin + j
            return values.w[(n, o - (o // cout) * cout) if spec.transposed else (o, j)]

        data["view"] = "values"
        data["values"] = {
            "x": [[cell_number(v) for v in values.x[c].reshape(-1)] for c in range(spec.in_channels)],
            "y": [[cell_number(v) for v in values.y[o].reshape(-1)] for o in range(spec.out_channels)],
            "w": [[[cell_number(weight(o, j)[t]) for t in kernels] for j in range(cin)]
                  for o in range(spec.out_channels)],
            "b": None if values.b is None else [cell_number(v) for v in values.b],
        }
    return data
