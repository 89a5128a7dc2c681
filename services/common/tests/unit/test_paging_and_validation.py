"""The one page-token scheme and the one argument checker every service uses."""

from __future__ import annotations

import pytest
from community_common.errors import InvalidArgument
from community_common.event_store import RequestKey
from community_common.paging import page_size, page_token, parse_page_token
from community_common.validation import ID_MAX, Violations
from community_contracts.reasons import INVALID_PAGE_TOKEN


def test_a_token_continues_only_the_query_that_handed_it_out() -> None:
    token = page_token("members\0c1\0role=2", {"o": 50})
    assert parse_page_token(token, "members\0c1\0role=2") == {"o": 50}
    assert parse_page_token("", "members\0c1\0role=2") is None
    for other, query in ((token, "members\0c1\0role=3"), ("not-a-token", "members"), ("e30", "x")):
        with pytest.raises(InvalidArgument) as refused:
            parse_page_token(other, query)
        assert refused.value.reason == INVALID_PAGE_TOKEN


def test_page_size_defaults_and_caps() -> None:
    assert [page_size(n, 20, 100) for n in (0, 7, 100, 5000)] == [20, 7, 100, 100]


@pytest.mark.parametrize("value", ["\x00", "r\x00", "a\nb", "\x7f"])
def test_an_id_with_a_control_character_is_refused(value: str) -> None:
    """Found by the fuzzer: a NUL in rule_id reached FerretDB, which cannot look it up."""
    check = Violations()
    check.identifier("rule_id", value)
    with pytest.raises(InvalidArgument) as refused:
        check.check()
    assert refused.value.violations == [("rule_id", "must not contain control characters")]


@pytest.mark.parametrize("value", ["\x00", "req\x00", "a\nb", "x" * 129])
def test_a_bad_request_id_is_refused_whoever_checks_it(value: str) -> None:
    """Found by `make fuzz`: a NUL in AddRule's request_id reached FerretDB on PostgreSQL
    (INTERNAL). A service checks it with the request's other fields; the command pipeline's
    `RequestKey.of` refuses it too, for a service that did not."""
    check = Violations()
    check.request_id(value)
    with pytest.raises(InvalidArgument) as refused:
        check.check()
    assert [field for field, _ in refused.value.violations] == ["request_id"]
    with pytest.raises(InvalidArgument):
        RequestKey.of("u-1", value, "AddRule")
    assert RequestKey.of("u-1", "req-1", "AddRule") is not None


def test_text_may_hold_newlines_and_tabs_but_not_a_nul() -> None:
    check = Violations()
    check.text("body", "line one\n\tline two", 100)
    check.check()
    check.text("name", "bus\x00group", 100)
    with pytest.raises(InvalidArgument) as refused:
        check.check()
    assert refused.value.violations == [("name", "must not contain NUL characters")]


def test_every_bad_field_is_reported_at_once() -> None:
    check = Violations()
    check.identifier("post_id", "")
    check.identifier("group_id", "", required=False)
    check.identifier("parent_id", "x" * (ID_MAX + 1))
    check.text("body", "  ", 10, required=True)
    check.text("note", "x" * 11, 10)
    check.one_of("role", 9, (1, 2), optional=True)
    check.page_size(-1)
    check.request_id("r" * 129)
    with pytest.raises(InvalidArgument) as refused:
        check.check()
    assert [field for field, _ in refused.value.violations] == [
        "post_id",
        "parent_id",
        "body",
        "note",
        "role",
        "page_size",
        "request_id",
    ]
    Violations().check()  # nothing found: no error
