"""JSON Schemas (draft 2020-12) of the event types, one document per `ce_type`, for catalogues
and tools that want JSON Schema; scripts/gen_event_catalogue.py writes them into docs/schemas/
beside the catalogue and checks them with it.

A schema describes the proto3 JSON that protobuf's printers write with the proto field names
(Python's `MessageToDict(..., preserving_proto_field_name=True)`, Java's
`JsonFormat.printer().preservingProtoFieldNames()`, what the example consumers print): enums by
name, 64-bit integers as decimal strings, Timestamps as RFC 3339 text, Durations as "<seconds>s",
fields with their default value left out (so nothing is required).
"""

from __future__ import annotations

import json
from typing import Any

from community_contracts import registry
from google.protobuf.descriptor import Descriptor, FieldDescriptor

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_SCALARS: dict[int, dict[str, Any]] = {
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_INT32: {"type": "integer"},
    FieldDescriptor.TYPE_SINT32: {"type": "integer"},
    FieldDescriptor.TYPE_SFIXED32: {"type": "integer"},
    FieldDescriptor.TYPE_UINT32: {"type": "integer", "minimum": 0},
    FieldDescriptor.TYPE_FIXED32: {"type": "integer", "minimum": 0},
    # proto3 JSON writes 64-bit integers as strings: JavaScript numbers cannot hold them.
    FieldDescriptor.TYPE_INT64: {"type": "string", "pattern": "^-?[0-9]+$"},
    FieldDescriptor.TYPE_SINT64: {"type": "string", "pattern": "^-?[0-9]+$"},
    FieldDescriptor.TYPE_SFIXED64: {"type": "string", "pattern": "^-?[0-9]+$"},
    FieldDescriptor.TYPE_UINT64: {"type": "string", "pattern": "^[0-9]+$"},
    FieldDescriptor.TYPE_FIXED64: {"type": "string", "pattern": "^[0-9]+$"},
    # Finite numbers, or "NaN", "Infinity", "-Infinity".
    FieldDescriptor.TYPE_DOUBLE: {"type": ["number", "string"]},
    FieldDescriptor.TYPE_FLOAT: {"type": ["number", "string"]},
    FieldDescriptor.TYPE_BYTES: {"type": "string", "contentEncoding": "base64"},
}
_WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]{1,9})?s$"},
}


def schemas(comments: dict[str, str]) -> dict[str, str]:
    """File name -> JSON text, for every event type; `comments` by full name, as the
    catalogue reads them from the protos."""
    return {
        f"{kind.name}.json": json.dumps(_event_schema(kind, comments), indent=2) + "\n"
        for kind in registry.EVENT_TYPES.values()
    }


def _event_schema(kind: registry.EventType, comments: dict[str, str]) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"{kind.name}.json",
        "$comment": (
            f"ce_type {kind.name}, on topic {kind.topic} from {kind.source}. Generated from "
            "the protos by scripts/gen_event_catalogue.py; the catalogue is docs/events.md."
        ),
        "title": kind.short_name,
        "description": comments.get(kind.name, ""),
        **_object(kind.descriptor, comments, defs),
    }
    if defs:
        schema["$defs"] = defs
    return schema


def _object(descriptor: Descriptor, comments: dict[str, str], defs: dict[str, Any]) -> dict:
    # No "additionalProperties": false — contracts grow by adding fields, and a consumer that
    # validates with this version's schema must accept a newer producer's events.
    return {
        "type": "object",
        "properties": {
            field.name: _described(
                _field(field, comments, defs), comments.get(f"{descriptor.full_name}.{field.name}")
            )
            for field in descriptor.fields
        },
    }


def _field(field: FieldDescriptor, comments: dict[str, str], defs: dict[str, Any]) -> dict:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        raise SystemExit(f"{field.full_name}: no JSON Schema mapping for map fields: add one")
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        single = _message(field.message_type, comments, defs)
    elif field.type == FieldDescriptor.TYPE_ENUM:
        single = {"type": "string", "enum": [value.name for value in field.enum_type.values]}
    else:
        single = dict(_SCALARS[field.type])
    return {"type": "array", "items": single} if field.is_repeated else single


def _message(descriptor: Descriptor, comments: dict[str, str], defs: dict[str, Any]) -> dict:
    if descriptor.full_name in _WELL_KNOWN:
        return dict(_WELL_KNOWN[descriptor.full_name])
    if descriptor.full_name.startswith("google."):
        raise SystemExit(f"no JSON Schema mapping for {descriptor.full_name}: add one")
    if descriptor.full_name not in defs:
        defs[descriptor.full_name] = _described(
            _object(descriptor, comments, defs), comments.get(descriptor.full_name)
        )
    return {"$ref": f"#/$defs/{descriptor.full_name}"}


def _described(schema: dict[str, Any], comment: str | None) -> dict[str, Any]:
    return {**schema, "description": comment} if comment else schema
