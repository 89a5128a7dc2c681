"""docs/events.md and the JSON Schemas in docs/schemas/ are what scripts/gen_event_catalogue.py
makes from today's protos and contracts, and the generator keeps the hand-written example
consumer section."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_event_catalogue.py"
CATALOGUE = ROOT / "docs" / "events.md"


def _generate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT
    )


def test_committed_catalogue_is_fresh() -> None:
    result = _generate("--check")
    assert result.returncode == 0, result.stderr + "run scripts/gen_event_catalogue.py"


def test_stale_missing_and_extra_schemas_are_found_and_regenerating_fixes_them(
    tmp_path: Path,
) -> None:
    out = tmp_path / "events.md"
    assert _generate("--out", str(out)).returncode == 0
    schemas = tmp_path / "schemas"  # beside the catalogue
    (schemas / "community.feed.v1.PostCreated.json").write_text("{}")
    (schemas / "community.feed.v1.PostDeleted.json").unlink()
    (schemas / "community.feed.v1.PostEdited.json").write_text("{}")

    stale = _generate("--out", str(out), "--check")
    assert stale.returncode == 1
    assert f"{schemas}/" in stale.stderr

    assert _generate("--out", str(out)).returncode == 0
    assert _generate("--out", str(out), "--check").returncode == 0
    assert (schemas / "community.feed.v1.PostDeleted.json").exists()
    assert not (schemas / "community.feed.v1.PostEdited.json").exists()


def test_catalogue_names_every_event_type_with_its_subject() -> None:
    from community_contracts import registry

    text = CATALOGUE.read_text()
    for kind in registry.EVENT_TYPES.values():
        assert f"- `ce_type`: `{kind.name}`" in text
        assert f"- `ce_subject`: `{kind.subject_field}`" in text
        assert f"(schemas/{kind.name}.json)" in text


def test_regenerating_keeps_the_hand_written_section(tmp_path: Path) -> None:
    out = tmp_path / "events.md"
    assert _generate("--out", str(out)).returncode == 0
    generated = out.read_text()
    begin = "<!-- BEGIN HAND-WRITTEN: example consumer (kept by the generator) -->\n"
    mine = "```python\nprint('consumer')\n```"
    start = generated.index(begin) + len(begin)
    end = generated.index("\n<!-- END HAND-WRITTEN -->")
    out.write_text(generated[:start] + mine + generated[end:])

    assert _generate("--out", str(out)).returncode == 0
    assert mine in out.read_text()
    assert _generate("--out", str(out), "--check").returncode == 0
