"""Async use cases as event consumers: how every service runs them on a consumer's thread.

Each consumer (`community_common.consumer.EventConsumer`) is a thread of its own that calls a
blocking handler (kafka-python blocks); `ThreadLoopHandler` runs the async use case on an
event loop that thread owns, with its own MongoDB client built on that loop, so nothing
blocks the gRPC server's loop, and `ConsumerWorker` closes that client when the consumer
stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from google.protobuf.message import Message

from community_common.consumer import EventConsumer
from community_common.envelope import EventEnvelope

AsyncEventHandler = Callable[[EventEnvelope, Message], Awaitable[None]]
# Builds the async handler (on the consumer's loop) and returns it with its closer.
HandlerFactory = Callable[[], Awaitable[tuple[AsyncEventHandler, Callable[[], Awaitable[None]]]]]


class ThreadLoopHandler:
    """A blocking event handler that runs an async one on the calling thread's own loop."""

    def __init__(self, build: HandlerFactory) -> None:
        self._build = build
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handler: AsyncEventHandler | None = None
        self._close: Callable[[], Awaitable[None]] | None = None

    def __call__(self, event: EventEnvelope, message: Message) -> None:
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        if self._handler is None:
            self._handler, self._close = self._loop.run_until_complete(self._build())
        self._loop.run_until_complete(self._handler(event, message))

    def close(self) -> None:
        """Release the loop and its clients; call once the consumer thread has ended."""
        if self._loop is None:
            return
        if self._close is not None:
            self._loop.run_until_complete(self._close())
        self._loop.close()
        self._loop = self._handler = self._close = None


class ConsumerWorker:
    """A background worker: the consumer thread plus the loop its handler runs on."""

    def __init__(self, consumer: EventConsumer, handler: ThreadLoopHandler) -> None:
        self.consumer = consumer
        self.handler = handler
        self.name = consumer.name

    def start(self) -> None:
        self.consumer.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.consumer.stop(timeout)
        if not self.consumer.is_running():
            self.handler.close()

    def unready_reason(self) -> str | None:
        return self.consumer.unready_reason()
