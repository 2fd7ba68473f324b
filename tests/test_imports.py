"""The import graph points down the layers (``scripts/check_imports.py``): no cycle, no import up."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_imports.py"


def _checker():
    spec = importlib.util.spec_from_file_location("check_imports", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_convanim_has_no_cycle_and_no_import_up_the_layers():
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, cwd=ROOT)
    problems = [line for line in proc.stdout.splitlines() if not line.startswith("known:")]
    assert proc.returncode == 0 and not problems, proc.stdout


def _package(tmp_path, files: dict) -> Path:
    root = tmp_path / "convanim"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_cycle_hidden_in_a_function_is_found(tmp_path):
    root = _package(tmp_path, {
        "pool.py": "from .schedule import Step\n",
        "schedule.py": "def schedule(spec):\n    from .pool import pool_schedule\n    return pool_schedule(spec)\n",
    })
    assert _checker().check(root) == ["import cycle: pool <-> schedule"]


@pytest.mark.parametrize("files, problem", [
    ({"layers.py": "def f():\n    from .explanation import pytorch_layer\n", "explanation.py": ""},
     "convanim/layers:2: imports explanation: the arithmetic imports no sentences"),
    ({"pool_text.py": "from .scene.values import number\n", "scene/__init__.py": "", "scene/values.py": ""},
     "convanim/pool_text:1: imports scene.values: the sentences import no drawing"),
    ({"animation.py": "from . import __version__\n"},
     "convanim/animation:1: imports __init__: only the face (cli, gallery, netpages, __init__) imports the face"),
    ({"scene/__init__.py": "", "scene/grid.py": "from ..views import get\n", "views/__init__.py": ""},
     "convanim/scene.grid:1: imports views: the drawing imports no view registry (it sits above the drawing)"),
])
def test_an_import_up_the_layers_is_found(tmp_path, files, problem):
    assert _checker().check(_package(tmp_path, files)) == [problem]


def test_imports_down_the_layers_pass(tmp_path):
    root = _package(tmp_path, {
        "spec.py": "", "schedule.py": "from .spec import ConvSpec\n",
        "explanation.py": "from .schedule import schedule\n",
        "scene/__init__.py": "", "scene/values.py": "from ..explanation import caption\nimport matplotlib\n",
        "views/__init__.py": "def build():\n    from ..scene.values import ValuesScene\n",
        "cli.py": "from . import views\nfrom .gallery import run\n", "gallery.py": "from .views import get\n",
    })
    assert _checker().check(root) == []


#: Modules allowed past 500 lines (none: a module that passes ~500 lines is two concerns).
SPLIT_LATER: set[str] = set()


def test_no_module_passes_500_lines():
    long = {str(path.relative_to(ROOT / "convanim")): n for path in sorted((ROOT / "convanim").rglob("*.py"))
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500}
    assert set(long) <= SPLIT_LATER, long
