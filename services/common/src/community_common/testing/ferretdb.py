"""A FerretDB process of a test's own (spare port, a PostgreSQL database of its own).

For tests that stop and restart MongoDB under a running component, and for benchmarks that
must not share the server with other suites. The binary is $FERRETDB_BIN, else the
repository's `.local/build/ferretdb`; its storage is a fresh database in the PostgreSQL cluster
of $FERRETDB_POSTGRESQL_URL (both set by `stack.py env`, which `make test` evaluates).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pymongo import MongoClient


def ferretdb_binary() -> str:
    configured = os.environ.get("FERRETDB_BIN")
    if configured:
        return configured
    for parent in Path(__file__).resolve().parents:
        candidate = parent / ".local" / "build" / "ferretdb"
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("FERRETDB_BIN is not set and no local FerretDB build was found")


def own_postgresql_url() -> str:
    """The instance's FerretDB URL with a fresh database name (the wrapper creates it)."""
    configured = os.environ.get("FERRETDB_POSTGRESQL_URL")
    if not configured:
        raise RuntimeError("FERRETDB_POSTGRESQL_URL is not set (eval `stack.py env`)")
    url = urlsplit(configured)
    return urlunsplit(url._replace(path=f"/ferretdb_own_{uuid.uuid4().hex[:12]}"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pings(client: MongoClient[Any]) -> bool:
    try:
        client.admin.command("ping")
    except Exception:
        return False
    return True


class OwnFerretDB:
    """Start, kill and restart (same port, same data) a private FerretDB server."""

    def __init__(self) -> None:
        self.binary = ferretdb_binary()
        self.port = free_port()
        self.postgresql_url = own_postgresql_url()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 20.0) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--listen-addr", f"127.0.0.1:{self.port}",
             "--postgresql-url", self.postgresql_url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        probe: MongoClient[Any] = MongoClient(self.uri, serverSelectionTimeoutMS=500)
        try:
            deadline = time.monotonic() + timeout_s
            while not pings(probe):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"FerretDB did not start on port {self.port}")
                time.sleep(0.05)
        finally:
            probe.close()

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def remove(self) -> None:
        self.kill()
        subprocess.run(
            [self.binary, "--postgresql-url", self.postgresql_url, "--drop-database"],
            check=True, stdout=subprocess.DEVNULL,
        )

    def __enter__(self) -> OwnFerretDB:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.remove()
