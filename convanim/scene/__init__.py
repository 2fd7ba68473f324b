"""Scenes: matplotlib drawings of one animation, frame by frame.

Every scene subclasses `convanim.scene.base.Scene` (this module itself does
not import matplotlib, so that ``convanim shape`` starts fast); `LAYOUTS` maps the
``--layout`` names to the scenes that draw a `ConvSpec`, `VIEWS` the
``--view`` names to the teaching views of the seed post.
"""

from __future__ import annotations

import importlib

__all__ = ["LAYOUTS", "VIEWS", "check_name", "scene_class"]

# name -> "module:Class", imported on first use (matplotlib start-up is not free).
LAYOUTS = {
    "classic": "classic:ClassicScene",
    "flat": "flat:FlatScene",
}
VIEWS = {
    "grid": "",  # the layout itself
    "1d": "oned:OneDScene",
    "continuous": "continuous:ContinuousScene",
    "values": "values:ValuesScene",
    "matrix": "matrix:MatrixScene",
    "scatter": "scatter:ScatterScene",
    "both": "both:BothScene",
    "overlap": "overlap:OverlapScene",
}


def check_name(name: str, table: dict, what: str) -> None:
    """ValueError unless ``name`` is registered in ``table``."""
    if name not in table:
        raise ValueError(f"{what} must be one of {', '.join(table)}, got {name!r}")


def scene_class(name: str, table: dict, what: str):
    """The scene class registered as ``name`` in ``table``."""
    check_name(name, table, what)
    module, cls = table[name].split(":")
    return getattr(importlib.import_module(f".{module}", __name__), cls)
