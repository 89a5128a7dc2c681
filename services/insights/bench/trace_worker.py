"""`python -m insights.worker` with instruments, for `worker_throughput.py --trace`: every
5 s it prints the batches the agent got (count, events), where the time went (applying to
the tables; the writer's save rounds to the view) and the MongoDB commands sent (count, mean
latency)."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter

from pymongo import monitoring

commands: Counter[str] = Counter()
command_ms: Counter[str] = Counter()
phases: Counter[str] = Counter()


class Commands(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        commands[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        command_ms[event.command_name] += event.duration_micros / 1000

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        command_ms[event.command_name] += event.duration_micros / 1000


def timed(name: str, function, count=None):  # type: ignore[no-untyped-def]
    def sync(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            phases[f"{name} ms"] += (time.perf_counter() - started) * 1000
            phases[name] += 1
            if count:
                phases[f"{name} items"] += count(*args)

    async def asynchronous(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return await function(*args, **kwargs)
        finally:
            phases[f"{name} ms"] += (time.perf_counter() - started) * 1000
            phases[name] += 1
            if count:
                phases[f"{name} items"] += count(*args)

    import inspect

    return asynchronous if inspect.iscoroutinefunction(function) else sync


def report() -> None:
    while True:
        time.sleep(5)
        parts = [f"{k}={v:.0f}" for k, v in sorted(phases.items())]
        parts += [f"{k}:{n}x/{command_ms[k] / n:.1f}ms" for k, n in sorted(commands.items())]
        print("[trace] " + " ".join(parts), file=sys.stderr, flush=True)


def main() -> None:
    monitoring.register(Commands())
    from insights import worker
    from insights.engagement import agents
    from insights.engagement.view_writer import ViewWriter

    agents.apply_batch = timed("apply", agents.apply_batch, lambda events, load: len(events))
    ViewWriter._save = timed("save", ViewWriter._save,  # type: ignore[method-assign]
                             lambda writer, values: len(values))
    threading.Thread(target=report, daemon=True).start()
    worker.main()


if __name__ == "__main__":
    main()
