"""docs/schemas/ holds one JSON Schema per event type, describing the proto3 JSON that
protobuf's printers write with the proto field names (what the example consumers print): every
catalogue example is valid against its schema, and a payload of the wrong shape is not."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest
from google.protobuf import json_format

from community_contracts import registry

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "docs" / "schemas"


@pytest.fixture(scope="module")
def catalogue() -> Iterator[ModuleType]:
    """scripts/gen_event_catalogue.py, whose examples the catalogue shows."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(ROOT / "scripts"))
        yield importlib.import_module("gen_event_catalogue")


def _schema(ce_type: str) -> dict:
    return json.loads((SCHEMAS / f"{ce_type}.json").read_text())


def _errors(ce_type: str, payload: dict) -> list[str]:
    validator = jsonschema.Draft202012Validator(_schema(ce_type))
    return [error.message for error in validator.iter_errors(payload)]


def test_one_schema_per_event_type() -> None:
    assert sorted(p.name for p in SCHEMAS.iterdir()) == sorted(
        f"{name}.json" for name in registry.EVENT_TYPES
    )
    for name in registry.EVENT_TYPES:
        jsonschema.Draft202012Validator.check_schema(_schema(name))


@pytest.mark.parametrize("ce_type", list(registry.EVENT_TYPES))
def test_the_catalogue_example_is_valid(ce_type: str, catalogue: ModuleType) -> None:
    kind = registry.event_type(ce_type)
    example = json_format.MessageToDict(
        catalogue._example(kind.descriptor, kind.message_class),
        preserving_proto_field_name=True,
    )
    assert _errors(ce_type, example) == []


def test_a_schema_says_what_each_field_is() -> None:
    schema = _schema("community.moderation.v1.MemberMuted")
    assert schema["title"] == "MemberMuted"
    assert "ce_subject: community_id" in schema["description"]
    assert schema["properties"]["duration"]["type"] == "string"
    assert schema["properties"]["expires_at"]["format"] == "date-time"
    assert "How long the mute lasts" in schema["properties"]["duration"]["description"]


@pytest.mark.parametrize(
    ("ce_type", "payload"),
    [
        ("community.feed.v1.PostCreated", {"post_id": 7}),
        ("community.membership.v1.MemberJoined", {"method": "JOIN_METHOD_TELEPATHY"}),
        ("community.membership.v1.CommunityCreated", {"topics": "chess"}),
        ("community.moderation.v1.MemberMuted", {"duration": "an hour"}),
        ("community.moderation.v1.ReportFiled", {"platform": "yes"}),
        ("community.insights.v1.InsightsSnapshot", {"member_count": "many"}),
        ("community.insights.v1.InsightsSnapshot", {"top_posts": [{"post_id": []}]}),
    ],
)
def test_a_payload_of_the_wrong_shape_is_invalid(ce_type: str, payload: dict) -> None:
    assert _errors(ce_type, payload)


def test_fields_of_a_newer_contract_are_allowed() -> None:
    """Contracts grow by adding fields: a consumer validating with an older schema must not
    reject the events of a newer producer."""
    assert _errors("community.feed.v1.PostCreated", {"post_id": "p1", "added_later": 1}) == []
