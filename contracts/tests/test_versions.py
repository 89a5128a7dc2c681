"""One version per contract, in every language, and it follows the protos: the JVM artifact and
the JVM example carry the Python package's version, and a change to protos/ since the main
branch needs a newer minor version (tools/buf/contracts_version.sh, run by
`tools/buf/buf.sh breaking`)."""

from __future__ import annotations

import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUARD = ROOT / "tools" / "buf" / "contracts_version.sh"
POM = "{http://maven.apache.org/POM/4.0.0}"


def _package_version() -> str:
    with (ROOT / "contracts" / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def test_the_jvm_artifact_has_the_package_version() -> None:
    pom = ET.parse(ROOT / "contracts" / "java" / "pom.xml").getroot()
    assert pom.findtext(f"{POM}artifactId") == "community-contracts"
    assert pom.findtext(f"{POM}version") == _package_version(), (
        "contracts/java/pom.xml: set <version> to contracts/pyproject.toml's version"
    )


def test_the_jvm_example_builds_against_this_version() -> None:
    pom = ET.parse(ROOT / "docs" / "examples" / "jvm-consumer" / "pom.xml").getroot()
    [contracts] = [
        d
        for d in pom.iter(f"{POM}dependency")
        if d.findtext(f"{POM}artifactId") == "community-contracts"
    ]
    assert contracts.findtext(f"{POM}version") == _package_version(), (
        "docs/examples/jvm-consumer/pom.xml: depend on contracts/pyproject.toml's version"
    )


# -- the guard, on a repository of its own ----------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _set_version(repo: Path, version: str) -> None:
    (repo / "contracts" / "pyproject.toml").write_text(
        f'[project]\nname = "community-contracts"\nversion = "{version}"\n'
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A main branch with one proto at contracts version 0.3.1, and a work branch."""
    (tmp_path / "protos" / "community").mkdir(parents=True)
    (tmp_path / "contracts").mkdir()
    (tmp_path / "protos" / "community" / "a.proto").write_text('syntax = "proto3";\n')
    _set_version(tmp_path, "0.3.1")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "contracts 0.3.1")
    _git(tmp_path, "checkout", "-q", "-b", "work")
    return tmp_path


def _guard(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(GUARD), "main"], cwd=repo, capture_output=True, text=True
    )


def test_unchanged_protos_keep_the_version(repo: Path) -> None:
    assert _guard(repo).returncode == 0


@pytest.mark.parametrize("commit", [False, True])
def test_a_changed_proto_without_a_new_minor_version_is_refused(repo: Path, commit: bool) -> None:
    (repo / "protos" / "community" / "a.proto").write_text('syntax = "proto3";\nmessage A {}\n')
    _set_version(repo, "0.3.2")  # a patch bump is not enough
    if commit:
        _git(repo, "commit", "-q", "-am", "add A")

    result = _guard(repo)

    assert result.returncode == 1
    assert "protos/ changed since main" in result.stderr
    assert "0.4.0" in result.stderr  # says what to set


def test_a_new_proto_file_counts_as_a_change(repo: Path) -> None:
    (repo / "protos" / "community" / "b.proto").write_text('syntax = "proto3";\n')
    assert _guard(repo).returncode == 1


def test_a_changed_proto_with_the_next_minor_version_passes(repo: Path) -> None:
    (repo / "protos" / "community" / "a.proto").write_text('syntax = "proto3";\nmessage A {}\n')
    _set_version(repo, "0.4.0")
    assert _guard(repo).returncode == 0, _guard(repo).stderr


def test_protos_main_changed_since_the_work_left_it_are_not_the_works_to_version(
    repo: Path,
) -> None:
    _git(repo, "checkout", "-q", "main")
    (repo / "protos" / "community" / "a.proto").write_text('syntax = "proto3";\nmessage A {}\n')
    _set_version(repo, "0.4.0")
    _git(repo, "commit", "-q", "-am", "add A on main")
    _git(repo, "checkout", "-q", "work")

    assert _guard(repo).returncode == 0, _guard(repo).stderr


def test_a_major_version_bump_is_refused(repo: Path) -> None:
    """buf breaking admits only backward-compatible changes: a new major would say otherwise."""
    (repo / "protos" / "community" / "a.proto").write_text('syntax = "proto3";\nmessage A {}\n')
    _set_version(repo, "1.0.0")
    assert _guard(repo).returncode == 1
