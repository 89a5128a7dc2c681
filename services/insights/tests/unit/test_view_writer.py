"""The serving view saved behind the agent's counting: merged by target, retried through an
outage, and offsets committed only once everything acknowledged before is saved."""

import asyncio
import copy
from datetime import UTC, datetime, timedelta

import pytest
from community.feed.v1 import events_pb2 as fe
from faust.transport.drivers.aiokafka import Consumer
from insights.app import _FreshConsumer, runtime
from insights.codecs import observe
from insights.domain.effects import Space
from insights.domain.ledger import Target, apply_batch, day_target, roster_target
from insights.engagement.view_writer import ViewWriter
from insights_events import EventLog
from insights_memory_view import MemoryServingView
from pymongo.errors import AutoReconnect

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
A, B = Target("rosters", '["a"]'), Target("rosters", '["b"]')


class GatedView(MemoryServingView):
    """Saves only when the test opens the gate; fails with an outage `outages` times."""

    def __init__(self, outages: int = 0) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()  # a save has reached the gate
        self.outages = outages
        self.saves: list[set[Target]] = []

    async def save(self, changed):
        self.waiting.set()
        await self.gate.wait()
        if self.outages:
            self.outages -= 1
            raise AutoReconnect("FerretDB is down")
        self.saves.append(set(changed))
        await super().save(changed)


async def test_saved_waits_for_everything_added_before_and_merges_by_target():
    view = GatedView()
    writer = ViewWriter(view)
    writer.add({A: {"v": 1}})
    await asyncio.wait_for(view.waiting.wait(), 2)  # the first round has taken A
    writer.add({A: {"v": 2}, B: {"v": 1}})
    writer.add({A: {"v": 3}})
    waiter = asyncio.ensure_future(writer.saved())
    # What the view held when `saved()` returned: both rounds, not only the first.
    saves_when_returned: list[set[Target]] = []
    waiter.add_done_callback(lambda _: saves_when_returned.extend(view.saves))
    assert view.values == {}
    view.gate.set()
    await asyncio.wait_for(waiter, 2)
    # The second round saved A's latest state once, with B.
    assert saves_when_returned == view.saves == [{A}, {A, B}]
    assert view.values == {A: {"v": 3}, B: {"v": 1}}


async def test_an_outage_is_retried_until_the_view_has_it(monkeypatch):
    monkeypatch.setattr("insights.engagement.view_writer.RETRY_BACKOFF_S", (0.01,))
    view = GatedView(outages=3)
    view.gate.set()
    writer = ViewWriter(view)
    writer.add({A: {"v": 1}})
    await asyncio.wait_for(writer.saved(), 2)
    assert view.values == {A: {"v": 1}} and view.outages == 0


async def test_any_other_error_reaches_the_agent_and_the_commit():
    class Broken(MemoryServingView):
        async def save(self, changed):
            raise ValueError("no such document shape")

    writer = ViewWriter(Broken())
    writer.add({A: {"v": 1}})
    with pytest.raises(RuntimeError, match="saving the serving view failed"):
        await asyncio.wait_for(writer.saved(), 2)
    with pytest.raises(RuntimeError):
        writer.add({B: {"v": 1}})


async def test_offsets_are_committed_only_after_the_view_has_saved(monkeypatch):
    """…and only for partitions still owned: a rebalance while the writer saved may have
    given one to another worker."""
    committed: list[tuple[dict, bool]] = []

    async def commit_offsets(self, offsets, start_new_transaction=True):
        committed.append((offsets, A in view.values))
        return True

    monkeypatch.setattr(Consumer, "_commit_offsets", commit_offsets)
    view = GatedView()
    monkeypatch.setattr(runtime, "writer", ViewWriter(view))
    monkeypatch.setattr(runtime, "owned", frozenset({"tp"}))
    runtime.writer.add({A: {"v": 1}})
    consumer = object.__new__(_FreshConsumer)
    commit = asyncio.ensure_future(consumer._commit_offsets({"tp": 7, "revoked": 3}))
    view.gate.set()
    assert await asyncio.wait_for(commit, 2) is True
    # One commit, made when the view already had A.
    assert committed == [({"tp": 7}, True)]


def test_a_redelivered_event_changes_no_figure_but_is_saved_again():
    """After a crash the tables may hold an event's effects that the view never got; its
    redelivery must bring them to the view."""
    record = EventLog().add(fe.PostCreated(post_id="p", community_id="c", author_id="u"), NOW)
    seen = observe(record.key, record.value, record.headers)
    first = apply_batch([seen], lambda target: None)
    again = apply_batch([seen], first.get)
    assert set(again) == set(first)
    assert again == first
    day = day_target(seen.effects[0].space, "2025-06-15")
    assert sum(again[day]["counts"]["posts"].values()) == 1


def test_a_batch_never_modifies_the_values_it_loads():
    """The tables' values and those handed to the view writer are shared: a batch works on
    copies (ledger._copied), and its as_of is the latest of its events whatever their order."""
    log = EventLog()
    first = [log.add(fe.PostCreated(post_id=f"p{i}", community_id="c", author_id=f"u{i}"),
                     NOW + timedelta(minutes=i)) for i in range(3)]
    later = [log.add(fe.PostLiked(post_id="p1", community_id="c", user_id=f"v{i}"),
                     NOW + timedelta(hours=1, minutes=-i)) for i in range(3)]
    stored = apply_batch([observe(r.key, r.value, r.headers) for r in first], lambda t: None)
    before = copy.deepcopy(stored)
    after = apply_batch([observe(r.key, r.value, r.headers) for r in later], stored.get)
    assert stored == before
    roster = after[roster_target("c")]
    assert roster["as_of"] == (NOW + timedelta(hours=1)).isoformat(timespec="microseconds")
    day = after[day_target(Space("c"), "2025-06-15")]
    assert sum(day["counts"]["likes"].values()) == 3
    assert sum(day["counts"]["posts"].values()) == 3


async def test_a_fenced_writer_saves_nothing_more_and_releases_waiters(monkeypatch):
    """A rebuild started (insights.rebuild_fence): the round in flight stops at the next
    chunk, nothing added later is saved, and a commit waiting on `saved()` is let go (it
    then commits nothing: the rebuild owns the offsets)."""
    monkeypatch.setattr("insights.engagement.view_writer.SAVE_CHUNK", 1)
    view = GatedView()
    writer = ViewWriter(view)
    writer.add({A: {"v": 1}, B: {"v": 1}})
    await asyncio.wait_for(view.waiting.wait(), 2)  # the round holds its first chunk
    waiter = asyncio.ensure_future(writer.saved())
    writer.fence()
    view.gate.set()
    await asyncio.wait_for(waiter, 2)
    await asyncio.wait_for(writer._task, 2)  # the save loop has stopped
    writer.add({A: {"v": 2}})  # and nothing starts it again
    assert writer._task.done()
    assert view.saves == [{A}]  # the chunk in flight, not B, not the later A
    assert view.values == {A: {"v": 1}}


async def test_a_fenced_worker_commits_no_offsets(monkeypatch):
    committed = []

    async def commit(self, offsets, *args, **kwargs):
        committed.append(offsets)
        return True

    monkeypatch.setattr(Consumer, "_commit_offsets", commit)
    monkeypatch.setattr(runtime, "fenced", True)
    consumer = _FreshConsumer.__new__(_FreshConsumer)
    assert await _FreshConsumer._commit_offsets(consumer, {"tp": 5}) is False
    assert committed == []
