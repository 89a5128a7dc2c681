"""Hypothesis strategies for any request message, read from its protobuf descriptor.

Nothing here names an RPC: a field is fuzzed by its type (and, for the platform's conventions,
by its name: `*_id`, `page_token`, `page_size`, `consistency_token`), so an RPC or a field
added to a .proto is fuzzed without touching this file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from hypothesis import strategies as st

F = FieldDescriptor
INT_RANGES = {
    F.TYPE_INT32: (-(2**31), 2**31 - 1),
    F.TYPE_SINT32: (-(2**31), 2**31 - 1),
    F.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    F.TYPE_INT64: (-(2**63), 2**63 - 1),
    F.TYPE_SINT64: (-(2**63), 2**63 - 1),
    F.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    F.TYPE_UINT32: (0, 2**32 - 1),
    F.TYPE_FIXED32: (0, 2**32 - 1),
    F.TYPE_UINT64: (0, 2**64 - 1),
    F.TYPE_FIXED64: (0, 2**64 - 1),
}
# Lengths around the platform's limits (ids 128, names 100, bodies 10,000) and far past them,
# up to what fits a gRPC message (4 MiB by default).
HUGE_LENGTHS = (129, 1_001, 10_001, 100_001, 1_000_000)
# What membership hands out, as the kernel reads it (community_common.consistency).
WELL_FORMED_TOKEN = re.compile(r"[^:\s\x00-\x1f\x7f]{1,128}:[1-9][0-9]{0,18}", re.ASCII)


def extremes(low: int, high: int) -> st.SearchStrategy[int]:
    return st.one_of(
        st.sampled_from(sorted({low, high, 0, 1, -1 if low < 0 else 2, low + 1, high - 1})),
        st.integers(low, high),
    )


def texts() -> st.SearchStrategy[str]:
    """Empty, blank, short unicode (controls, NUL, RTL, emoji), Mongo-special, and huge."""
    return st.one_of(
        st.sampled_from(["", " ", "\t\n", "\x00", "$where", "a.b", "{}", "'; --", "../../etc",
                         "\u202e\u0645", "\U0001f600" * 3, "\ufeff", "e\u0301"]),
        st.text(max_size=40),
        st.sampled_from(HUGE_LENGTHS).map(lambda n: "x" * n),
        st.sampled_from(HUGE_LENGTHS).map(lambda n: "\U0001f600" * (n // 4 + 1)),
    )


class Fuzz:
    """Request strategies for one world: `ids` are real ids by field name (a community the
    caller owns, its post, ...), `tokens` real consistency tokens, so that part of the
    requests get past existence checks and reach the rules."""

    def __init__(self, ids: Mapping[str, Sequence[str]], tokens: Sequence[str]) -> None:
        self.ids = ids
        self.tokens = tokens
        self._cache: dict[str, st.SearchStrategy[Any]] = {}

    def request(self, descriptor: Descriptor, message: Callable[[], Any]) -> st.SearchStrategy[Any]:
        """Half plausible (real ids, short text, small numbers: they reach the rules and the
        writes), half hostile (every field anything its type allows)."""
        return st.one_of(
            self._message(descriptor, depth=0, plausible=True),
            self._message(descriptor, depth=0, plausible=False),
        ).map(lambda values: _build(message(), values))

    def _message(
        self, descriptor: Descriptor, depth: int, plausible: bool
    ) -> st.SearchStrategy[dict[str, Any]]:
        key = f"{descriptor.full_name}@{depth}:{plausible}"
        if key not in self._cache:
            # A plausible request sets every field (what is required is there); a hostile
            # one leaves any of them out.
            fields = {
                f.name: self._plausible(f, depth) if plausible else st.one_of(
                    st.none(), self._field(f, depth))
                for f in descriptor.fields
                if depth < 3 or f.message_type is None
            }
            self._cache[key] = st.fixed_dictionaries(fields)
        return self._cache[key]

    def _plausible(self, field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
        if field.type == F.TYPE_MESSAGE:
            one: st.SearchStrategy[Any] = self._message(
                field.message_type, depth + 1, plausible=True
            ).map(lambda values, f=field: (f.message_type, values))
        elif field.type == F.TYPE_STRING:
            real = self.tokens if field.name == "consistency_token" else (
                self.ids.get(field.name) or self.ids.get(field.name.removesuffix("s")))
            one = st.sampled_from(real) if real else st.text(
                st.characters(min_codepoint=32, max_codepoint=0x24F), min_size=1, max_size=30)
        elif field.type == F.TYPE_ENUM:
            one = st.sampled_from([v.number for v in field.enum_type.values if v.number])
        elif field.type == F.TYPE_BOOL:
            one = st.booleans()
        elif field.type == F.TYPE_BYTES:
            one = st.binary(max_size=16)
        elif field.type in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
            one = st.floats(0, 1000)
        else:
            one = st.integers(0, 3 * 86_400)  # sizes, counts, and seconds of a Duration
        return st.lists(one, min_size=1, max_size=3) if _repeated(field) else one

    def _field(self, field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
        one = self._value(field, depth)
        if not _repeated(field):
            return one
        # Long lists repeat one short value: a list of huge strings would not fit a message.
        short = st.text(max_size=8) if field.type == F.TYPE_STRING else one
        return st.one_of(
            st.lists(one, max_size=4),
            st.sampled_from((101, 1_001, 10_001)).flatmap(
                lambda n: short.map(lambda value: [value] * n)),
        )

    def _value(self, field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
        if field.type == F.TYPE_MESSAGE:
            return self._message(field.message_type, depth + 1, plausible=False).map(
                lambda values, f=field: (f.message_type, values))
        if field.type == F.TYPE_STRING:
            return self._string(field.name)
        if field.type == F.TYPE_BYTES:
            return st.binary(max_size=64)
        if field.type == F.TYPE_BOOL:
            return st.booleans()
        if field.type == F.TYPE_ENUM:
            numbers = [value.number for value in field.enum_type.values]
            return st.one_of(st.sampled_from(numbers), extremes(-(2**31), 2**31 - 1))
        if field.type in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
            return st.floats(width=64 if field.type == F.TYPE_DOUBLE else 32)
        if field.name == "page_size":
            return st.one_of(st.sampled_from((-1, 0, 1, 10_000, 2**31 - 1, -(2**31))),
                             extremes(*INT_RANGES[field.type]))
        return extremes(*INT_RANGES[field.type])

    def _string(self, name: str) -> st.SearchStrategy[str]:
        if name == "consistency_token":
            return self.consistency_tokens()
        if name == "page_token":
            return st.one_of(texts(), st.sampled_from(["AAAA", "eyJ9", "e30=", "%%%", "null"]),
                             st.binary(max_size=48).map(lambda b: b.hex()))
        strategies = [texts(), st.uuids().map(lambda u: u.hex)]
        own = self.ids.get(name) or self.ids.get(name.removesuffix("s"), ())
        if own:
            strategies.insert(0, st.sampled_from(own))
        if name.endswith(("_id", "_ids")):  # a real id of another kind
            strategies.append(st.sampled_from([v for vs in self.ids.values() for v in vs]))
        return st.one_of(*strategies)

    def consistency_tokens(self) -> st.SearchStrategy[str]:
        """Real ones, and ones membership cannot have handed out. A well-formed token of the
        request's own community that is not reached yet is left out: waiting for it is the
        contract, and would only slow the run."""
        real = list(self.tokens)
        return st.one_of(
            st.sampled_from(real),
            st.sampled_from(real).map(lambda t: t.rpartition(":")[0] + ":1:2"),
            st.sampled_from(real).map(lambda t: t.rpartition(":")[0] + ":" + "9" * 40),
            st.sampled_from(real).map(lambda t: t.rpartition(":")[0] + ":0"),
            st.sampled_from(real).map(lambda t: t.rpartition(":")[0] + ":-3"),
            st.sampled_from(real).map(lambda t: t.rpartition(":")[0] + ":\u0663"),
            st.sampled_from(["C:1:2", "c:1:2", ":1", "c:", "junk", "\x00:1", "c 1:1"]),
            st.uuids().map(lambda u: f"c{u.hex[:24]}:1"),  # another (unknown) community
            texts(),
        )


def _repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def _build(message: Any, values: Mapping[str, Any]) -> Any:
    for name, value in values.items():
        if value is None:
            continue
        field = message.DESCRIPTOR.fields_by_name[name]
        if field.type == F.TYPE_MESSAGE:
            items = value if _repeated(field) else [value]
            target = getattr(message, name)
            for _descriptor, nested in items:
                if _repeated(field):
                    _build(target.add(), nested)
                else:
                    _build(target, nested)
                    target.SetInParent()
        elif _repeated(field):
            getattr(message, name).extend(value)
        else:
            setattr(message, name, value)
    return message


def well_formed_token(text: str) -> bool:
    return WELL_FORMED_TOKEN.fullmatch(text) is not None
