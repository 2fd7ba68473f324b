"""Scenes: matplotlib drawings of one animation, frame by frame.

Every scene subclasses `convanim.scene.base.Scene`; `LAYOUTS` maps the
``--layout`` names to the scenes that draw a `ConvSpec`, `VIEWS` the
``--view`` names to the teaching views of the seed post.
"""

from __future__ import annotations

import importlib

from .base import Scene, SceneOptions

__all__ = ["Scene", "SceneOptions", "LAYOUTS", "VIEWS", "scene_class"]

# name -> "module:Class", imported on first use (matplotlib start-up is not free).
LAYOUTS = {
    "classic": "classic:ClassicScene",
    "flat": "flat:FlatScene",
}
VIEWS = {
    "grid": None,  # the layout itself
    "1d": "oned:OneDScene",
    "continuous": "continuous:ContinuousScene",
    "values": "values:ValuesScene",
    "matrix": "matrix:MatrixScene",
}


def scene_class(name: str, table: dict, what: str):
    """The scene class registered as ``name`` in ``table``."""
    if name not in table or table[name] is None:
        known = ", ".join(k for k, v in table.items() if v is not None)
        raise ValueError(f"{what} must be one of {known}, got {name!r}")
    module, cls = table[name].split(":")
    return getattr(importlib.import_module(f".{module}", __name__), cls)
