"""The layers hold: `lint-imports` (run by `make lint`) keeps its contract, fails on a layer
violation, and no module of the package takes part in an import cycle."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(src: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        cwd=config.parent,
        check=False,
    )


def _copy_tree(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "truthgraph",
        src / "truthgraph",
        ignore=shutil.ignore_patterns("__pycache__", "models", "demo", "static"),
    )
    config = tmp_path / "pyproject.toml"
    shutil.copy(ROOT / "pyproject.toml", config)
    return src, config


def test_the_layers_contract_is_kept_by_the_package(tmp_path: Path) -> None:
    src, config = _copy_tree(tmp_path)

    result = _lint_imports(src, config)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # verify/ is a pipeline layer: it may not reach up to the composition root
        (
            "verify/aggregate.py",
            "from truthgraph.wiring import build_store",
            "truthgraph.verify.aggregate -> truthgraph.wiring",
        ),
        # the service's worker is runtime: the benchmarks may import it, not the other way round
        (
            "api/worker.py",
            "from truthgraph.bench.machine import machine_line",
            "truthgraph.api.worker -> truthgraph.bench.machine",
        ),
    ],
    ids=["upward", "measuring-tool"],
)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    src, config = _copy_tree(tmp_path)
    path = src / "truthgraph" / module
    path.write_text(path.read_text() + f"\n{line}\n")

    result = _lint_imports(src, config)

    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert broken in result.stdout


def _cyclic_groups(graph: grimp.ImportGraph) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[set[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = []
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        work.append((start, sorted(graph.find_modules_directly_imported_by(start))))
        while work:
            node, children = work[-1]
            if children:
                child = children.pop()
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(graph.find_modules_directly_imported_by(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)
    return groups


def test_no_module_takes_part_in_an_import_cycle() -> None:
    graph = grimp.build_graph("truthgraph", cache_dir=None)

    assert _cyclic_groups(graph) == []


def test_the_cycle_finder_sees_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")

    assert _cyclic_groups(graph) == [{"pkg.a", "pkg.b"}]


CONCRETE = re.compile(r"\b(PgvectorEvidenceStore|PgJobStore|PgKeyStore)\b")


def _naming_concrete_classes(package: Path) -> list[str]:
    """``file:line`` of each line outside ``wiring/`` and ``db/`` that names a concrete store,
    job or key class (code, annotations, docstrings alike)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in ("wiring", "db"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CONCRETE.search(line):
                found.append(f"{relative}:{number}")
    return found


def test_concrete_stores_are_named_only_in_wiring_and_db() -> None:
    assert _naming_concrete_classes(ROOT / "src" / "truthgraph") == []


def test_the_concrete_names_check_sees_a_named_class(tmp_path: Path) -> None:
    src, _ = _copy_tree(tmp_path)
    worker = src / "truthgraph" / "api" / "worker.py"
    worker.write_text(worker.read_text() + "\nfrom truthgraph.db.jobs import PgJobStore\n")

    assert _naming_concrete_classes(src / "truthgraph") == [
        f"api/worker.py:{len(worker.read_text().splitlines())}"
    ]
