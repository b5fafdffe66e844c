"""The layers of docs/architecture.md hold: import-linter's contracts (pyproject.toml) pass, and
fail on a deliberate violation; the module import graph, imports inside functions included, has
no cycle."""

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports() -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_the_contracts_are_kept():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_statistics_importing_reporting_breaks_the_contracts():
    probe = ROOT / "pantau" / "statistics" / "layer_probe_test_only.py"
    probe.write_text("from pantau.reporting.models import CountryReport  # noqa: F401\n")
    try:
        result = lint_imports()
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "pantau.statistics.layer_probe_test_only -> pantau.reporting.models" in result.stdout


def test_no_module_import_cycle():
    graph = grimp.build_graph("pantau", cache_dir=None)
    modules = {m for m in graph.modules if ".tests" not in m and not m.endswith("conftest")}
    edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        on_stack.add(m)
        for n in edges[m]:
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in on_stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            component = []
            while True:
                n = stack.pop()
                on_stack.discard(n)
                component.append(n)
                if n == m:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for m in sorted(modules):
        if m not in index:
            visit(m)
    assert cycles == []
