"""The lock files pin the whole tree and agree with the direct pins of requirements*.txt.

A direct pin changed without re-running scripts/lock.sh would install one version in the
quick start (the lock) and claim another in requirements.txt; these tests catch that.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;#]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """``name -> version`` of every ``name==version`` line of a requirements or lock file."""
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[normalise(match.group(1))] = match.group(2)
    return found


@pytest.mark.parametrize(
    ("direct", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_every_direct_pin_is_locked_at_the_same_version(direct, lock):
    direct_pins = pins(REPO_ROOT / direct)
    if direct == "requirements-dev.txt":
        direct_pins |= pins(REPO_ROOT / "requirements.txt")
    locked = pins(REPO_ROOT / lock)
    assert {name: locked.get(name) for name in direct_pins} == direct_pins


def test_the_lock_pins_the_transitive_tree_too():
    locked = pins(REPO_ROOT / "requirements.lock")
    # sagemaker v2 pulls these in without pins of its own; the lock must fix them.
    for transitive in ("botocore", "fastapi", "uvicorn", "docker", "pydantic"):
        assert transitive in locked, transitive


def imported_top_level_modules(folder: Path) -> set[str]:
    modules = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules


#: Import names whose distribution is named differently.
DISTRIBUTION_OF = {"sklearn": "scikit-learn", "jsonpath_ng": "jsonpath-ng"}
FIRST_PARTY = {"pipeline", "lambdas", "ui", "app_pages", "benchmarks"}
#: Imported directly but released with (and required by) another direct dependency, which the
#: lock then pins: botocore's release line is boto3's, so a second direct pin would only drift.
COMES_WITH = {"botocore": "boto3"}


def test_every_third_party_import_of_the_app_is_a_direct_dependency():
    imported = set()
    for folder in ("pipeline", "lambdas", "ui", "app_pages"):
        imported |= imported_top_level_modules(REPO_ROOT / folder)
    third_party = imported - set(sys.stdlib_module_names) - FIRST_PARTY
    declared = set(pins(REPO_ROOT / "requirements.txt"))
    undeclared = {
        module
        for module in third_party
        if normalise(DISTRIBUTION_OF.get(module, COMES_WITH.get(module, module))) not in declared
    }
    assert undeclared == set()
