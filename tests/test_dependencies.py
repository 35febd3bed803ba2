"""requirements.lock (what scripts/setup installs, hash-checked) matches pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def _locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for every pin of the lock."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["dev"]]]


def test_every_declared_dependency_is_locked_at_a_version_it_allows():
    locked = _locked()
    problems = []
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{requirement} is not in requirements.lock")
        elif not requirement.specifier.contains(locked[name][0], prereleases=True):
            problems.append(f"{requirement} does not allow the locked {locked[name][0]}")

    assert problems == [], "regenerate the lock (README, Dependencies):\n" + "\n".join(problems)


def test_every_locked_package_carries_its_hashes():
    unhashed = [name for name, (_, hashes) in _locked().items() if hashes == 0]

    assert len(_locked()) > 50
    assert unhashed == []


def test_setup_installs_from_the_lock_with_hashes_required():
    setup = (ROOT / "scripts" / "setup").read_text()

    assert "--require-hashes -r requirements.lock" in setup
    assert "npm ci" in setup
