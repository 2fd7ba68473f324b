"""Test-wide hooks: the PyTorch cross-checks are counted, and each is skipped on its own without torch.

A test is a torch cross-check when it is marked ``@pytest.mark.torch`` (tests/test_core_torch.py marks
all of its tests) or when its code calls ``pytest.importorskip("torch")``. Where torch is missing,
each such test is reported as skipped (none is hidden by a module-level skip), and the run ends with
a line such as ``torch cross-checks: 34 ran, 0 skipped (torch 2.13.0)``. Install them with
``pip install -e '.[test,torch]'``.

Loaded under the dependency floors too (tests/test_smoke.py): it imports nothing beyond pytest.
"""

from __future__ import annotations

import importlib.util
import inspect

import pytest

_INSTALL = "torch is not installed: pip install -e '.[test,torch]' to run the cross-checks against PyTorch"
_counts = {"ran": 0, "skipped": 0}


def _torch_version() -> str | None:
    if importlib.util.find_spec("torch") is None:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("torch")
    except PackageNotFoundError:
        return "unknown version"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("torch") is not None:
            continue
        function = getattr(item, "function", None)
        try:
            source = inspect.getsource(function) if function is not None else ""
        except (OSError, TypeError):
            source = ""
        if 'importorskip("torch")' in source or "importorskip('torch')" in source:
            item.add_marker(pytest.mark.torch)


def pytest_runtest_setup(item):
    if item.get_closest_marker("torch") is not None and importlib.util.find_spec("torch") is None:
        pytest.skip(_INSTALL)


def pytest_runtest_logreport(report):
    # Runs where the reports arrive: in the one process, or in pytest-xdist's controller.
    if "torch" not in report.keywords:
        return
    if report.skipped:
        _counts["skipped"] += 1
    elif report.when == "call":
        _counts["ran"] += 1


def pytest_terminal_summary(terminalreporter):
    if not any(_counts.values()):
        return
    installed = _torch_version()
    where = f"torch {installed}" if installed else "torch not installed: pip install -e '.[test,torch]'"
    terminalreporter.write_line(
        f"torch cross-checks: {_counts['ran']:,} ran, {_counts['skipped']:,} skipped ({where})"
    )
