"""One channel's grid in the channel drawings: rows x cols cells placed by an origin and a matrix.

Pure geometry (numpy only): the classic layout's slanted slices and the flat layout's upright ones differ
only in the matrix.

>>> import numpy as np
>>> Slice(2, 3, (0, 0), np.eye(2)).centre(0, 0).tolist()
[0.5, 1.5]
"""

from __future__ import annotations

import numpy as np

__all__ = ["Slice"]


class Slice:
    """One channel's grid: rows x cols cells placed at ``origin`` (drawing units) through ``matrix``."""

    def __init__(self, rows: int, cols: int, origin, matrix: np.ndarray):
        self.rows, self.cols = rows, cols
        self.origin = np.asarray(origin, float)
        self.matrix = matrix

    def to_drawing(self, local) -> np.ndarray:
        """Local grid units (x along a row, y up from the last row) to drawing units."""
        return np.asarray(local, float) @ self.matrix.T + self.origin

    def to_local(self, point) -> np.ndarray:
        return np.linalg.solve(self.matrix, np.asarray(point, float) - self.origin)

    def cell(self, r: int, c: int) -> np.ndarray:
        y = self.rows - 1 - r
        return self.to_drawing([(c, y), (c + 1, y), (c + 1, y + 1), (c, y + 1)])

    def centre(self, r: float, c: float) -> np.ndarray:
        return self.to_drawing((c + 0.5, self.rows - 0.5 - r))

    def corners(self) -> np.ndarray:
        return self.to_drawing([(0, 0), (self.cols, 0), (self.cols, self.rows), (0, self.rows)])

    def lines(self, r0=0, c0=0, rows=None, cols=None) -> list[np.ndarray]:
        """Grid lines of the block of ``rows`` x ``cols`` cells from cell (r0, c0) (default: the whole grid)."""
        rows = self.rows if rows is None else rows
        cols = self.cols if cols is None else cols
        top, bottom = self.rows - r0, self.rows - r0 - rows
        segs = [[(c0 + j, bottom), (c0 + j, top)] for j in range(cols + 1)]
        segs += [[(c0, bottom + i), (c0 + cols, bottom + i)] for i in range(rows + 1)]
        return [self.to_drawing(s) for s in segs]
