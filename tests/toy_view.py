"""A toy view, declared as a new view would be: one module with a scene and a `View`, and one registry
entry (`tests/test_views.py` registers it for the length of a test).

The ``bars`` view draws one bar per output cell in a row; frame ``k`` lights bar ``k``.
"""

import math

from matplotlib.patches import Rectangle

from convanim.scene.base import Scene, SceneOptions, pixel_axes  # noqa: F401 (SceneOptions: the type)
from convanim.views import View

BAR_PX = 20
MAX_BARS = 50


class BarsScene(Scene):
    def __init__(self, spec, options: SceneOptions, *, flip: bool = False):
        self.spec, self.options = spec, options
        self.n = math.prod(spec.output_shape)
        theme = options.theme
        width, height = (self.n + 2) * BAR_PX, 3 * BAR_PX
        super().__init__(width, height, theme.background)
        ax = pixel_axes(self.fig, width, height)
        self.order = list(range(self.n))[::-1] if flip else list(range(self.n))
        for i in range(self.n):
            ax.add_patch(Rectangle(((i + 1) * BAR_PX, BAR_PX), BAR_PX - 2, BAR_PX, color=theme.output))
        self.lit = self.moving(ax.add_patch(Rectangle((0, BAR_PX), BAR_PX - 2, BAR_PX, color=theme.accent)))

    def __len__(self) -> int:
        return self.n

    def update(self, k: int) -> None:
        self.lit.set_x((self.order[k] + 1) * BAR_PX)

    def describe(self) -> str:
        return f"{self.n} bars, one per output cell"


def _check(spec, opts) -> None:
    n = math.prod(spec.output_shape)
    if n > MAX_BARS:
        raise ValueError(f"the bars view draws at most {MAX_BARS} bars, got {n}")


VIEW = View(
    name="bars",
    summary="one bar per output cell, lit in turn",
    scenes={"conv": lambda spec, options, opts: BarsScene(spec, options, flip=opts["flip"])},
    options=("flip",),
    check=_check,
    limits={"bars": MAX_BARS},
    size=lambda spec, opts: ((math.prod(spec.output_shape) + 2) * BAR_PX, 3 * BAR_PX),
)
