"""What the benchmarks that run a server share: a scratch database per target, an app served
on a free localhost port in a thread, and the loop over the databases asked for."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import URL

from jointcheck.storage.db import database_url
from jointcheck.storage.scratch import server_reachable, temporary_database


@contextmanager
def scratch_database(target: str, folder: Path) -> Iterator[URL]:
    """Yield a fresh database for ``target``: a SQLite file in ``folder`` (removed afterwards)
    or a temporary database on the PostgreSQL server the URL names (dropped afterwards)."""
    url = database_url(target)
    if url.get_backend_name() == "sqlite":
        path = folder / "bench.db"
        yield url.set(database=str(path))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with temporary_database(url, prefix="jointcheck_bench") as scratch:
        yield scratch


def on_each_database(targets: list[str], measure: Callable[[URL, Path], dict[str, Any]]
                     ) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Run ``measure(url, folder)`` on a scratch database per target; return the results and
    the unreachable servers skipped, with why."""
    results: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    for target in targets:
        url = database_url(target)
        if url.get_backend_name() != "sqlite":
            problem = server_reachable(url)
            if problem is not None:
                skipped[url.render_as_string(hide_password=True)] = problem
                continue
        with tempfile.TemporaryDirectory(prefix="jointcheck-bench-") as name, \
                scratch_database(target, Path(name)) as scratch:
            results.append(measure(scratch, Path(name)))
    return results, skipped


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run ``app`` under uvicorn on a free localhost port in a thread; yield its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]},
                              name="bench-uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("a benchmark server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()
