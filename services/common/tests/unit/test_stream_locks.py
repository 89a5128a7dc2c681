import asyncio

import pytest
from community_common.stream_locks import StreamLocks


async def test_commands_on_one_stream_run_one_after_another() -> None:
    locks = StreamLocks()
    inside: list[str] = []
    overlaps = 0

    async def command(stream: str) -> None:
        nonlocal overlaps
        async with locks.hold(stream):
            overlaps += stream in inside
            inside.append(stream)
            await asyncio.sleep(0)  # yield: another command would enter now if it could
            inside.remove(stream)

    await asyncio.gather(*(command("a") for _ in range(5)))
    assert overlaps == 0 and len(locks) == 0


async def test_other_streams_do_not_wait() -> None:
    locks = StreamLocks()
    async with locks.hold("a"):
        async with asyncio.timeout(1):
            async with locks.hold("b"):
                assert len(locks) == 2
    assert len(locks) == 0


async def test_a_failing_command_releases_its_stream() -> None:
    locks = StreamLocks()
    with pytest.raises(RuntimeError):
        async with locks.hold("a"):
            raise RuntimeError("decided against it")
    async with asyncio.timeout(1):
        async with locks.hold("a"):
            pass
    assert len(locks) == 0
