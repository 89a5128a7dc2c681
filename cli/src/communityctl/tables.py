"""Readable output: a list response becomes a table of its items, anything else a list of
`field: value` lines; `--json` prints the message as protobuf JSON instead."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

MAX_CELL = 40


def as_json(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def render(message: Message) -> str:
    data = as_json(message)
    lists = [
        f.name
        for f in message.DESCRIPTOR.fields
        if f.is_repeated
        and f.type == FieldDescriptor.TYPE_MESSAGE
        and data.get(f.name)
    ]
    lines = [f"{k}: {_cell(v)}" for k, v in data.items() if k not in lists]
    for name in lists:
        lines.append(f"{name}:")
        lines.append(table([_flatten(item) for item in data[name]]))
    return "\n".join(lines) if lines else "(empty)"


def table(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    cells = [[_cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt.format(*columns), *(fmt.format(*r) for r in cells)])


def _flatten(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in item.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def _cell(value: Any) -> str:
    text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
