"""Jobs the server runs by itself now and then: the purge of expired check data and the
roll-up of the trailing days.

A job is a blocking function (one short transaction); ``every`` runs it in a thread, over and
over, until the task is cancelled. When cancelled mid-run, it lets the run finish before it
stops, so the engine is not disposed under a transaction. ``stop`` cancels a task and waits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable


async def every(seconds: float, job: Callable[[], None], *, first_at_start: bool) -> None:
    """Run ``job`` in a thread every ``seconds`` until cancelled; the first run comes at once
    when ``first_at_start``, else one interval after the start."""
    if not first_at_start:
        await asyncio.sleep(seconds)
    while True:
        run = asyncio.ensure_future(asyncio.to_thread(job))
        try:
            await asyncio.shield(run)
        except asyncio.CancelledError:
            await run
            raise
        await asyncio.sleep(seconds)


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel a background task and wait until it has stopped."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
