"""`make up INSIGHTS_WORKERS=N` (deploy/local/stack.py): N insights workers, each a named
member of the one group with its own data directory, beside one process of every service;
`REPLICAS` alone still sets both. Started for real by hand (README, "More insights
workers"); here, what each process is given."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy" / "local"))
import stack

INSTANCE = stack.INSTANCES["test"]


def workers(replicas: int, insights_workers: int | None) -> dict[str, dict[str, str]]:
    """The insights workers `up` would start: process name -> its environment."""
    count = stack.counts(replicas, insights_workers)["insights-worker"]
    return {stack.process_name("insights-worker", k):
            stack.service_env(INSTANCE, "insights-worker", k) for k in stack.replica_ids(count)}


def test_insights_workers_sets_the_workers_alone():
    count = stack.counts(1, 3)
    assert count["insights-worker"] == 3
    assert {kind: n for kind, n in count.items() if kind != "insights-worker"} == {
        "membership": 1, "feed": 1, "moderation": 1, "insights": 1}
    started = workers(1, 3)
    assert list(started) == ["insights-worker-1", "insights-worker-2", "insights-worker-3"]
    assert [env["REPLICA_ID"] for env in started.values()] == ["1", "2", "3"]
    data_dirs = [env["INSIGHTS_DATA_DIR"] for env in started.values()]
    assert data_dirs == [str(INSTANCE.dir / "data" / name) for name in started]


def test_without_it_replicas_set_the_workers_and_one_is_unnamed():
    assert stack.counts(2, None) == dict.fromkeys(stack.SERVICE_PROCESSES, 2)
    [(name, env)] = workers(1, None).items()
    assert name == "insights-worker" and "REPLICA_ID" not in env
    assert env["INSIGHTS_DATA_DIR"] == str(INSTANCE.dir / "data" / "insights-worker")
