"""The committed stubs in contracts/src/community are exactly what scripts/gen_protos.sh makes
from protos/ today: a proto change without regenerating fails here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "contracts" / "src" / "community"


def _tree(base: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(base)): path.read_bytes()
        for path in sorted(base.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_committed_stubs_match_a_fresh_generation(tmp_path: Path) -> None:
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "gen_protos.sh"), str(tmp_path)],
        check=True,
        env={**os.environ, "PYTHON": sys.executable},
    )
    fresh = _tree(tmp_path / "community")
    committed = _tree(COMMITTED)

    assert sorted(fresh) == sorted(committed), "run scripts/gen_protos.sh: files differ"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"run scripts/gen_protos.sh: stale generated files {stale}"


def test_every_service_stub_imports() -> None:
    from community.feed.v1 import feed_service_pb2_grpc
    from community.insights.v1 import insights_service_pb2_grpc
    from community.membership.v1 import membership_service_pb2_grpc
    from community.moderation.v1 import moderation_service_pb2_grpc

    for module, stub in [
        (membership_service_pb2_grpc, "MembershipServiceStub"),
        (feed_service_pb2_grpc, "FeedServiceStub"),
        (moderation_service_pb2_grpc, "ModerationServiceStub"),
        (insights_service_pb2_grpc, "InsightsServiceStub"),
    ]:
        assert hasattr(module, stub)
