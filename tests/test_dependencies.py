"""The locks: the runtime one (all the production image installs) carries no test or lint
tool, pins its whole tree, and declares every package the non-test code imports; the dev
one adds the tools on top of it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"

# Tools that test, lint, fuzz, profile or drive browsers: never in the production image.
TEST_TOOLS = re.compile(
    r"^(pytest.*|ruff|playwright|axe-.*|schemathesis|hypothesis|factory-boy|faker|"
    r"import-linter|grimp|kubernetes-validate|coverage|pyinstrument|locust|mypy|"
    r"django-debug-toolbar|execnet|iniconfig|pluggy|greenlet)$"
)
# The project's packages, and the deploy scripts, which import their siblings by name.
FIRST_PARTY = {"config", "shared_apps", "tenant_apps", "tests", "bench", "deploy", "manage"} | {
    script.stem for script in (ROOT / "deploy").glob("*.py")
}
# Code that only tests, benchmarks or renders deployment files for review.
NOT_SHIPPED = ("tests", "bench", ".venv", ".data", "node_modules")


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def _pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        assert "==" in line, f"{lock.name}: {line} is not pinned exactly"
        pins[_name(line)] = line.split("==", 1)[1]
    return pins


def _shipped_python_files():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_SHIPPED or "tests" in parts or path.name == "conftest.py":
            continue
        yield path


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level module -> the shipped files importing it (absolute imports only)."""
    found: dict[str, set[str]] = {}
    for path in _shipped_python_files():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_runtime_lock_carries_no_test_tools():
    tools = sorted(name for name in _pins(RUNTIME_LOCK) if TEST_TOOLS.match(name))
    assert tools == [], f"move these to requirements-dev.lock: {tools}"


def test_the_dev_lock_builds_on_the_runtime_lock_without_overriding_it():
    assert "-r requirements.lock" in DEV_LOCK.read_text().splitlines()
    assert set(_pins(DEV_LOCK)).isdisjoint(_pins(RUNTIME_LOCK))


def test_every_package_the_shipped_code_imports_is_declared():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = {_name(r) for r in pyproject["project"]["dependencies"]}
    runtime = _pins(RUNTIME_LOCK)
    providers = packages_distributions()
    undeclared = []
    for module, files in sorted(_third_party_imports().items()):
        dists = {re.sub(r"[-_.]+", "-", d).lower() for d in providers.get(module, [])}
        assert dists, f"{module} (imported by {sorted(files)}) is not installed"
        if not dists & declared or not dists & set(runtime):
            undeclared.append(f"{module} ({sorted(dists)}) imported by {sorted(files)[:3]}")
    assert undeclared == [], "declare in pyproject.toml and requirements.lock"


def test_the_runtime_lock_pins_its_whole_tree():
    """Every dependency of a runtime package is pinned in the runtime lock too, so the image
    (which installs only that lock) never resolves a version of its own."""
    runtime = _pins(RUNTIME_LOCK)
    missing = set()
    for name in runtime:
        for requirement in distribution(name).requires or []:
            req = Requirement(requirement)
            if req.marker and not req.marker.evaluate({"extra": ""}):
                continue
            if _name(requirement) not in runtime:
                missing.add(f"{_name(requirement)} (for {name})")
    # psycopg[binary] and django-storages[s3] pull their extras' packages in by name.
    assert sorted(missing) == []


def test_unused_packages_are_gone():
    """django-filter was installed without a FilterSet anywhere; nothing imports it now."""
    assert "django-filter" not in _pins(RUNTIME_LOCK)
    assert "django_filters" not in _third_party_imports()
