"""Reproducible installs: the lock files agree with pyproject.toml and with each other, this environment
was installed from them, and the image is pinned and hardened. A failure here after a change to
pyproject.toml means: run scripts/lock (see README, "Test it")."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"


def pins(lock: Path) -> dict[str, Version]:
    """The locked version of every package this interpreter and platform install, by canonical name."""
    found: dict[str, Version] = {}
    entry: list[str] = []
    for line in [*lock.read_text().splitlines(), ""]:
        if line.startswith((" ", "#")) and entry:
            entry.append(line.strip())
            continue
        if entry:
            requirement = Requirement(entry[0].rstrip(" \\"))
            assert any(part.startswith("--hash=sha256:") for part in entry), (
                f"{lock.name}: no hash for {entry[0]}"
            )
            (specifier,) = requirement.specifier
            assert specifier.operator == "==", f"{lock.name}: {entry[0]} is not pinned"
            if requirement.marker is None or requirement.marker.evaluate():
                found[canonicalize_name(requirement.name)] = Version(specifier.version)
        entry = [line] if line and not line.startswith("#") else []
    return found


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = list(project["dependencies"])
    for extra in extras:
        listed += project["optional-dependencies"][extra]
    return [r for r in map(Requirement, listed) if r.marker is None or r.marker.evaluate()]


def test_each_lock_holds_what_pyproject_asks_for_at_an_allowed_version() -> None:
    for lock, extras in ((RUNTIME_LOCK, ()), (DEV_LOCK, ("dev",))):
        locked = pins(lock)
        for requirement in declared(*extras):
            name = canonicalize_name(requirement.name)
            assert name in locked, f"{lock.name} lacks {requirement}: run scripts/lock"
            assert requirement.specifier.contains(locked[name], prereleases=True), (
                f"{lock.name} pins {name}=={locked[name]}, outside {requirement}: run scripts/lock"
            )


def test_the_tests_run_on_the_versions_the_image_ships() -> None:
    runtime, dev = pins(RUNTIME_LOCK), pins(DEV_LOCK)
    assert {name: dev.get(name) for name in runtime} == runtime


def test_every_tool_ci_runs_has_an_upper_bound() -> None:
    for requirement in declared("dev"):
        if requirement not in declared():
            assert any(s.operator in {"<", "<=", "==", "~="} for s in requirement.specifier), requirement


def test_this_environment_was_installed_from_the_dev_lock() -> None:
    wrong = {}
    for name, version in pins(DEV_LOCK).items():
        try:
            installed = Version(importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = f"{installed} installed, {version} locked"
    assert not wrong, f"run scripts/install dev: {wrong}"


def test_install_script_takes_everything_from_a_lock_with_hashes() -> None:
    script = (ROOT / "scripts" / "install").read_text()
    assert "--require-hashes -r" in script
    assert "--no-deps" in script and "-e ." in script


def test_the_image_is_pinned_unprivileged_and_health_checked() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    (base,) = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert re.fullmatch(r"python:3\.11-slim@sha256:[0-9a-f]{64}", base), base
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*studybot\", \"health\"", dockerfile, re.MULTILINE)
    assert re.search(r"^STOPSIGNAL SIGTERM$", dockerfile, re.MULTILINE)
    assert "requirements.lock" in dockerfile
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["studybot"]["build"] == "."
    # PostgreSQL is optional: a profile, so a plain `docker compose up` runs the bot on its SQLite file.
    postgres = compose["services"]["postgres"]
    assert postgres["profiles"] == ["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    waits = compose["services"]["studybot"]["depends_on"]["postgres"]
    assert waits == {"condition": "service_healthy", "required": False}
