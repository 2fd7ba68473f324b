"""A layer with channels, groups or bias: its page data (the grid view's channel drawing, `convanim.scene.channels`).

Every input channel is a slice of the same grid, every output channel a slice of the output; frame k shows the
output channels and the step of the scene's own `frame_content` (``frames``), so the page steps as the GIF does.
Output channel ``o`` reads the ``in_channels / groups`` input slices of its group through its filter slices.
"""

from __future__ import annotations

from dataclasses import replace

from ..explanation import alt_text, caption, pytorch_layer
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
    return data
