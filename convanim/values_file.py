"""Values files (``.npy``, ``.npz``): each array's header is read first, its data only once the caller has
checked the header's shape and dtype, so a file of the wrong shape is refused without being read.

>>> import numpy as np, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "v.npy")
>>> np.save(path, np.arange(6).reshape(2, 3))
>>> stored = stored_arrays(path)["input"]
>>> stored.shape, stored.dtype.kind, stored.read().sum()
((2, 3), 'i', np.int64(15))
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["StoredArray", "stored_arrays"]


def _header(fh) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) from the header of the ``.npy`` stream ``fh`` (the data is not read)."""
    fmt = np.lib.format
    version = fmt.read_magic(fh)
    reader = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, _, dtype = reader(fh)
    if dtype.hasobject:  # numpy's own sentence, said before any data is read
        raise ValueError("Object arrays cannot be loaded when allow_pickle=False")
    return tuple(int(n) for n in shape), dtype


@dataclass(frozen=True)
class StoredArray:
    """One array of a values file: ``shape`` and ``dtype`` from its header; `read` reads its data."""

    mode: str  # the path as the user gave it (for messages)
    member: str | None  # the .npz member, None for a .npy file
    shape: tuple[int, ...]
    dtype: np.dtype

    def read(self) -> np.ndarray:
        """The array's data (ValueError, one sentence, when the file is corrupt)."""
        try:
            if self.member is None:
                return np.load(self.mode, allow_pickle=False)
            with zipfile.ZipFile(self.mode) as archive, archive.open(self.member) as fh:
                return np.lib.format.read_array(fh, allow_pickle=False)
        except Exception as exc:  # truncated data, a changed file, zip errors of every kind
            raise ValueError(f"values file {self.mode!r} could not be read: {type(exc).__name__}: {exc}") from None


def stored_arrays(mode: str, npy_name: str = "input") -> dict[str, StoredArray]:
    """The arrays of the values file ``mode`` by name (a ``.npy`` file's is ``npy_name``), headers only.

    The caller checks the suffix first; here: the file exists and every header
    reads (else one ValueError sentence naming the file).
    """
    path = Path(mode)
    if not path.is_file():
        raise ValueError(f"values file {mode!r} does not exist")
    try:
        if path.suffix == ".npy":
            with open(path, "rb") as fh:
                return {npy_name: StoredArray(mode, None, *_header(fh))}
        arrays = {}
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".npy"):
                    with archive.open(member) as fh:
                        arrays[member[:-4]] = StoredArray(mode, member, *_header(fh))
        return arrays
    except ValueError as exc:
        raise ValueError(f"values file {mode!r} could not be read: {exc}") from None
    except Exception as exc:  # a corrupt file: zip, header or size errors of every kind
        raise ValueError(f"values file {mode!r} could not be read: {type(exc).__name__}: {exc}") from None
