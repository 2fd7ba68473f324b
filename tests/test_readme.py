"""The README stays true: its commands run, its printed output matches, its Python runs."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def commands():
    """Every `convanim ...` line of the sh blocks, without its trailing comment."""
    found = []
    for block in blocks("sh"):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("convanim "):
                found.append(line)
    return found


def run(line, cwd):
    args = shlex.split(line)
    assert args[0] == "convanim"
    return subprocess.run([sys.executable, "-m", "convanim.cli", *args[1:]], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_the_readme_has_the_two_commands():
    first = blocks("sh")[0].splitlines()
    assert first[0].startswith("pip install . && convanim gallery classic -o gallery/classic")
    assert first[1].startswith("pip install -e '.[test]' && ruff check . && python -m pytest -q")
    assert first[2].startswith("pip install -e '.[test,torch]' && ruff check . && python -m pytest -q")
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    command = "--disable-pip-version-check -e '.[test,torch]' && ruff check . && python -m pytest -q"
    assert command in ci


@pytest.mark.parametrize("line", commands())
def test_readme_command_runs(line, tmp_path):
    if "my_cases.toml" in line:
        (tmp_path / "my_cases.toml").write_text(blocks("toml")[0])
    if "--check" in line:
        assert run(line.replace(" --check", ""), tmp_path).returncode == 0
    words = shlex.split(line)
    if "-o" in words:  # a README image's command writes where the image is: gallery/PRESET/...
        (tmp_path / words[words.index("-o") + 1]).parent.mkdir(parents=True, exist_ok=True)
    proc = run(line, tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_readme_console_output_is_what_the_command_prints(tmp_path):
    for block in blocks("console"):
        lines = block.rstrip("\n").splitlines()
        command, expected = lines[0].removeprefix("$ "), "\n".join(lines[1:])
        proc = run(command, tmp_path)
        assert (proc.stdout + proc.stderr).rstrip("\n") == expected


def test_readme_python_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for block in blocks("python"):
        exec(compile(block, "README.md", "exec"), {})
