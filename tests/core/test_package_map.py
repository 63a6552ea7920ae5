"""The package map (``src/sohoa/package_map.toml``) is the architecture: the code and docs/architecture.md follow it.

Every import of every module is checked against the map, so a new import against it, a cycle between
packages, a module outside every package or an import hidden inside a function fails here with the file,
the line and the rule it breaks.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
MAP_FILE = SRC / "sohoa" / "package_map.toml"
DOC = ROOT / "docs" / "architecture.md"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (or name, for ``from x import y`` where y is not a module)
    line: int
    in_function: bool


@cache
def package_map() -> dict[str, object]:
    return tomllib.loads(MAP_FILE.read_text(encoding="utf-8"))


def packages() -> dict[str, dict[str, object]]:
    value = package_map()["packages"]
    assert isinstance(value, dict)
    return value


def package_of(module: str) -> str | None:
    """The longest listed package that is the module or prefixes it."""
    best = None
    for name in packages():
        if (module == name or module.startswith(name + ".")) and (best is None or len(name) > len(best)):
            best = name
    return best


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    base = SRC / Path(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def source_modules() -> list[Path]:
    return sorted(p for p in (SRC / "sohoa").rglob("*.py") if "migrations/versions" not in p.as_posix())


def imports_of(path: Path) -> list[Import]:
    module = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside.update(id(sub) for sub in ast.walk(node) if isinstance(sub, ast.Import | ast.ImportFrom))
    found: list[Import] = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            targets = [f"{source}.{a.name}" if _is_module(f"{source}.{a.name}") else source for a in node.names]
        found += [Import(module, t, node.lineno, id(node) in inside) for t in targets]
    return found


def test_the_map_is_well_formed() -> None:
    layers = package_map()["layers"]
    assert isinstance(layers, list)
    order = list(packages())
    problems = []
    for name, spec in packages().items():
        if spec.get("layer") not in layers:
            problems.append(f"{name}: unknown layer {spec.get('layer')!r}")
            continue
        if not spec.get("about"):
            problems.append(f"{name}: says nothing about itself (about = …)")
        uses = spec.get("uses")
        assert isinstance(uses, list)
        for used in uses:
            if used not in packages():
                problems.append(f"{name} uses {used}, which the map does not list")
                continue
            mine, theirs = layers.index(spec["layer"]), layers.index(packages()[used]["layer"])
            if theirs > mine or (theirs == mine and order.index(used) > order.index(name)):
                problems.append(f"{name} ({spec['layer']}) uses {used} ({packages()[used]['layer']}), "
                                "which is above it: layers go bottom-up, and within a layer only earlier packages")
    assert not problems, "\n".join(problems)


def test_the_allowed_uses_have_no_cycle() -> None:
    graph = {name: list(spec["uses"]) for name, spec in packages().items()}  # type: ignore[call-overload]
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError("cycle: " + " → ".join([*trail[trail.index(nxt):], nxt]))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [name])


def test_every_module_belongs_to_a_listed_package() -> None:
    orphans = [str(p.relative_to(ROOT)) for p in source_modules() if package_of(_module_name(p)) is None]
    assert not orphans, f"add their package to {MAP_FILE.relative_to(ROOT)}: {orphans}"


def test_every_import_follows_the_map() -> None:
    bad = []
    for path in source_modules():
        for imp in imports_of(path):
            if not imp.target.startswith("sohoa"):
                continue
            mine, theirs = package_of(imp.module), package_of(imp.target)
            if mine is None or theirs is None or mine == theirs:
                continue
            if theirs not in packages()[mine]["uses"]:  # type: ignore[operator]
                bad.append(f"{path.relative_to(ROOT)}:{imp.line}: {mine} may not import {imp.target} "
                           f"({theirs} is not in its `uses`)")
    assert not bad, "\n".join(bad)


def test_no_module_level_cycle() -> None:
    """Modules of one package do not import each other in a circle (the map only sees between packages)."""
    graph: dict[str, set[str]] = {}
    for path in source_modules():
        module = _module_name(path)
        graph.setdefault(module, set())
        for imp in imports_of(path):
            if imp.target.startswith("sohoa") and not imp.in_function and imp.target != module:
                target = imp.target
                while target and not _is_module(target):
                    target = target.rpartition(".")[0]
                if target and target != module and not module.startswith(target + "."):
                    graph[module].add(target)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " → ".join([*trail[trail.index(nxt):], nxt]))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_imports_inside_functions_only_for_heavy_dependencies() -> None:
    lazy = package_map().get("lazy", {})
    assert isinstance(lazy, dict)
    bad = []
    for path in source_modules():
        for imp in imports_of(path):
            if imp.in_function and not any(imp.target == n or imp.target.startswith(n + ".") for n in lazy):
                bad.append(f"{path.relative_to(ROOT)}:{imp.line}: {imp.target} imported inside a function")
    assert not bad, (f"move these to the top of their module, or name the heavy dependency in [lazy] of "
                     f"{MAP_FILE.relative_to(ROOT)} with its reason:\n" + "\n".join(bad))


def test_lazy_imports_say_why() -> None:
    lazy = package_map().get("lazy", {})
    assert isinstance(lazy, dict)
    assert all(isinstance(why, str) and len(why) > 20 for why in lazy.values()), lazy


def test_architecture_doc_describes_the_map() -> None:
    doc = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`(sohoa(?:\.[a-z_]+)*)`", doc))
    missing = [name for name in packages() if f"`{name}`" not in doc]
    assert not missing, f"docs/architecture.md does not describe: {missing}"
    table_rows = re.findall(r"^\| `(sohoa(?:\.[a-z_]+)*)` \|", doc, flags=re.M)
    unknown = [name for name in table_rows if name not in packages()]
    assert not unknown, f"docs/architecture.md describes packages the map does not list: {unknown}"
    assert named  # the doc names packages in backticks
