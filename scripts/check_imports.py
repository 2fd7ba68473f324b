"""Check convanim's import graph: no cycle, and every import points down the layers.

    python scripts/check_imports.py            # exit 1 and one line per problem, else 0
    python scripts/check_imports.py --graph    # print the graph (module: what it imports)

Reads the source with `ast` (nothing is imported), counting imports at module
level and inside functions alike: a function-level import hides nothing. An
edge ``a -> b`` means module ``a`` imports from module ``b`` (``from . import
x`` counts as importing ``x`` when ``x`` is a module, else the package).

The layers, from the bottom: the arithmetic (`ARITHMETIC`) imports neither the
drawing (`DRAWING`) nor the sentences (`SENTENCES`); the sentences import no
drawing; the view registry (`REGISTRY`) sits above the drawing, so none of
these three imports it; nothing but the face (`FACE`) imports the face. A
function-level import of one of convanim's modules is an edge like any other,
so a late import cannot hide a cycle; late imports of heavy optional
dependencies (matplotlib, torch, imageio) are not edges of this graph at all.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = "convanim"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

ARITHMETIC = ("spec", "axes", "pool", "layers", "schedule", "scatter", "evaluate", "network", "pytorch", "values",
              "layer_values", "numtext", "version")
SENTENCES = ("explanation", "pool_text")
DRAWING = ("scene", "html")
REGISTRY = ("views",)
#: The face: the command line, the gallery and network page writers (``convanim gallery``, ``convanim
#: network``) and the package's own ``__init__``.
FACE = ("cli", "gallery", "netpages", "__init__")
#: Cycles being removed elsewhere, reported as ``known:`` lines and not counted as problems. Only
#: ``network`` <-> ``pytorch``, which the network rewrite (issue 19) breaks: then empty this.
KNOWN_CYCLES: tuple[frozenset, ...] = ()


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name (``scene.values``; the package itself is ``__init__``) -> file, for every module."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _package(name: str, path: Path) -> str:
    """The package ``name`` lives in (dotted; "" for the top level)."""
    if path.name == "__init__.py":
        return "" if name == "__init__" else name
    return name.rpartition(".")[0]


def _resolve(target: str, known: dict) -> str | None:
    """The module a dotted name inside the package refers to (the longest known prefix)."""
    parts = target.split(".") if target else []
    while parts:
        name = ".".join(parts)
        if name in known:
            return name
        parts.pop()
    return "__init__"


def imports(name: str, path: Path, known: dict) -> list[tuple[str, int, bool]]:
    """(imported module, line, at function level) for each of convanim's modules ``name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _package(name, path)
    found = []

    def visit(node, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".") if package else []
                    base = base[: len(base) - (child.level - 1)] if child.level > 1 else base
                    stem = ".".join(base + ([child.module] if child.module else []))
                elif child.module and (child.module == PACKAGE or child.module.startswith(PACKAGE + ".")):
                    stem = child.module[len(PACKAGE) + 1:]
                else:
                    found.append((None, child.lineno, nested, child.module or ""))
                    continue
                for alias in child.names:
                    sub = f"{stem}.{alias.name}" if stem else alias.name
                    target = sub if sub in known else _resolve(stem, known)
                    found.append((target, child.lineno, nested, ""))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                        found.append((_resolve(alias.name[len(PACKAGE) + 1:], known), child.lineno, nested, ""))
                    else:
                        found.append((None, child.lineno, nested, alias.name))
            visit(child, inner)

    visit(tree, False)
    return found


def layer(name: str) -> str | None:
    """Which of the named layers ``name`` belongs to (None: a module between them)."""
    top = name.split(".")[0]
    for label, members in (("arithmetic", ARITHMETIC), ("sentences", SENTENCES), ("drawing", DRAWING),
                           ("registry", REGISTRY), ("face", FACE)):
        if top in members:
            return label
    return None


def graph(root: Path = ROOT) -> dict[str, dict[str, list[tuple[int, bool]]]]:
    """module -> {imported module: [(line, at function level), ...]} over convanim's own modules."""
    known = modules(root)
    edges = {}
    for name, path in known.items():
        out = edges.setdefault(name, {})
        for target, line, nested, _ in imports(name, path, known):
            if target is not None and target != name:
                out.setdefault(target, []).append((line, nested))
    return edges


def cycles(edges: dict) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(1000, 10 * len(edges)))
    for v in sorted(edges):
        if v not in index:
            strong(v)
    return sorted(found)


def _is_package_init(name: str) -> bool:
    return name == "__init__"


def forbidden(edges: dict) -> list[str]:
    """One line per import that points up the layers."""
    problems = []
    for source, targets in sorted(edges.items()):
        src = layer(source) if not _is_package_init(source) else "face"
        for target, where in sorted(targets.items()):
            dst = layer(target) if not _is_package_init(target) else "face"
            line = where[0][0]
            rule = None
            if dst == "face" and src != "face":
                rule = f"only the face ({', '.join(FACE)}) imports the face"
            elif src == "arithmetic" and dst in ("drawing", "sentences"):
                rule = f"the arithmetic imports no {dst}"
            elif src == "sentences" and dst == "drawing":
                rule = "the sentences import no drawing"
            elif src in ("arithmetic", "sentences", "drawing") and dst == "registry":
                rule = f"the {src} imports no view registry (it sits above the drawing)"
            if rule:
                problems.append(f"{PACKAGE}/{source}:{line}: imports {target}: {rule}")
    return problems


def known_cycles(root: Path = ROOT) -> list[str]:
    """The cycles of `KNOWN_CYCLES` still there, one line each."""
    return [f"known: import cycle: {' <-> '.join(c)}" for c in cycles(graph(root)) if frozenset(c) in KNOWN_CYCLES]


def check(root: Path = ROOT) -> list[str]:
    """Every problem, one line each: import cycles (but `KNOWN_CYCLES`), then imports up the layers."""
    edges = graph(root)
    problems = [f"import cycle: {' <-> '.join(c)}" for c in cycles(edges) if frozenset(c) not in KNOWN_CYCLES]
    return problems + forbidden(edges)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--graph" in argv:
        for source, targets in sorted(graph().items()):
            print(f"{source}: {', '.join(sorted(targets))}")
        return 0
    problems = check()
    for line in known_cycles() + problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
