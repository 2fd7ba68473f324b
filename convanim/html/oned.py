"""The ``1d`` view's page data: one row of numbers, the kernel row under its window and the output row, with the
kernel reversed and the outputs named ``(f⋆g)(n)`` when ``flip`` draws the mathematical convolution.

The shown weights, the output numbers and the names come from the scene's own helpers
(`convanim.scene.oned.kernel_index`, `output_index`, `outputs`), so the page and the GIF cannot disagree.
"""

from __future__ import annotations

__all__ = ["oned_fields"]

_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def _sub(n: int) -> str:
    return str(n).translate(_SUB)


def oned_fields(spec, values, flip: bool) -> dict:
    """The fields the player reads for the 1-D view: ``rowNames``, ``wNames`` (the weight shown at each PyTorch
    kernel index), ``outNames`` (in the cells), ``sumNames`` (left of each sum), ``flip`` and ``values``
    (``w`` as shown, ``o`` the row as drawn), or None without numbers."""
    from ..scene.oned import kernel_index, number, output_index, outputs  # matplotlib: loaded with the scene anyway

    k, n_out = spec.kernel_size[0], spec.output_shape[0]
    shown = [kernel_index(spec, j, flip) for j in range(k)]
    names = [output_index(spec, o, flip) for o in range(n_out)]
    fields = {
        "flip": flip,
        "rowNames": ["f(m)", "g(n−m)", "y = f⋆g"] if flip else ["f(m)", "g", "o(n)"],
        "wNames": [f"w{_sub(j)}" for j in shown],
        "outNames": [f"{'y' if flip else 'o'}{_sub(n)}" for n in names],
        "sumNames": [f"(f⋆g)({n})" if flip else f"o{_sub(n)}" for n in names],
        "values": None,
    }
    if values is not None:
        fields["values"] = {"x": [number(v) for v in values.x.reshape(-1)],
                            "w": [number(values.w.reshape(-1)[j]) for j in shown],
                            "o": [number(v) for v in outputs(spec, values, flip).reshape(-1)]}
    return fields
