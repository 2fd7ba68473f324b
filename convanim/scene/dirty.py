"""Where a frame changed, for `convanim.scene.base.Scene.patches`: the box the moving artists drew in, and boxes.

A box is (x0, y0, x1, y1) in whole frame pixels from the top-left corner, x1
and y1 past its last column and row.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import Collection
from matplotlib.patches import Patch
from matplotlib.path import get_path_collection_extents

__all__ = ["moving_box", "outline", "union", "intersect", "PAD_PX"]

PAD_PX = 3  # around a moving artist's extent: anti-aliasing, pixel snapping, rounding


def union(boxes):
    """The bounding box (x0, y0, x1, y1) of the boxes that are not None, or None."""
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    x0s, y0s, x1s, y1s = zip(*boxes, strict=True)
    return min(x0s), min(y0s), max(x1s), max(y1s)


def intersect(a, b):
    """The overlap of two boxes (x0, y0, x1, y1), or None if they do not overlap (or one is None)."""
    if a is None or b is None:
        return None
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def outline(artist, renderer) -> np.ndarray | None:
    """Points in display units whose bounding box holds everything ``artist`` draws but its line width
    (its vertices, a curve inside its control points), or None where it cannot tell.

    Collections: each path through the collection's transform and its own,
    moved by its offset, as `draw_path_collection` draws it
    (`Collection.get_window_extent` gives a null box for a collection whose
    offsets are not in data units, which is every figure-level collection).
    """
    if isinstance(artist, Collection):
        transform, offset_transform = artist.get_transform(), artist.get_offset_transform()
        if not (transform.is_affine and offset_transform.is_affine):
            return None
        paths, offsets = artist.get_paths(), artist.get_offsets()
        if len(artist.get_transforms()) or np.any(offsets):
            if isinstance(offsets, np.ma.MaskedArray):
                offsets = offsets.filled(np.nan)
            if not paths:
                return np.empty((0, 2))
            box = get_path_collection_extents(transform.get_affine().frozen(), paths, artist.get_transforms(),
                                              offsets, offset_transform.get_affine().frozen())
            return box.get_points()
    elif isinstance(artist, Patch):
        transform, paths = artist.get_transform(), [artist.get_path()]
        if not transform.is_affine:
            return None
    else:
        return artist.get_window_extent(renderer).get_points()
    if not paths:
        return np.empty((0, 2))
    matrix = transform.get_matrix()
    vertices = paths[0].vertices if len(paths) == 1 else np.concatenate([path.vertices for path in paths])
    return vertices @ matrix[:2, :2].T + matrix[:2, 2]


def moving_box(artists, renderer, width: int, height: int, dpi: float):
    """(x0, y0, x1, y1), whole pixels from the top-left, holding every pixel the visible moving artists
    drew (the whole frame where an outline is unknown), or None if they drew nothing."""
    outlines, widest = [], 0.0
    for artist in artists:
        if artist.get_visible():
            points = outline(artist, renderer)
            if points is None:
                return (0, 0, width, height)
            outlines.append(points)
            line = getattr(artist, "get_linewidth", None)
            if line is not None:
                widest = max(widest, float(np.max(line(), initial=0.0)))
    points = np.concatenate(outlines) if outlines else np.empty((0, 2))
    if not np.isfinite(points).all():
        if np.isinf(points).any():  # a null box: drawn where it cannot tell
            return (0, 0, width, height)
        points = points[~np.isnan(points).any(axis=1)]  # NaN vertices (breaks in a path) draw nothing
    if not len(points):
        return None
    pad = PAD_PX + 2 * widest * dpi / 72  # miter joins reach past half the width
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    box = (math.floor(x0 - pad), math.floor(height - y1 - pad), math.ceil(x1 + pad), math.ceil(height - y0 + pad))
    return intersect(box, (0, 0, width, height))

