"""Benchmark: the daily street roll-up of a busy day, beside a bare ``GROUP BY``.

For each database (a temporary SQLite file; a temporary PostgreSQL database, created and
dropped) the schema is migrated and a district of 20 streets and 5,000 venues stored. A day
of check events (10,000,000 by default) is drawn, deterministic from a seed: each venue's
volume from a skewed (log-normal) share of the day, spread over the 24 local hours by a
day-time profile, over the outcomes (mostly admit) and two bases, each hourly cell a Poisson
draw around its share. The events are never stored one by one: as the server keeps them,
they are aggregated into hourly count rows, bulk inserted (COPY on PostgreSQL, executemany
on SQLite) before the clock starts.

Timed, in the same run and the same database: ``recompute_days`` of that day (read the
hourly counts summed per venue and outcome, the registrations and the vaccinations, replace
the day's fact rows, commit), and the reference, one ``SELECT venue_code, outcome,
sum(count) ... GROUP BY venue_code, outcome`` over the same hours. Each is run ``repeat``
times; the median is reported, and the ratio is roll-up over GROUP BY.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import URL

from jointcheck.bench.scaffold import on_each_database
from jointcheck.registry.areas import Area
from jointcheck.reporting.daily import hour_range
from jointcheck.services.daily_reports import recompute_days
from jointcheck.storage.db import make_engine, make_sessions, unit_of_work
from jointcheck.storage.migrations import migrate
from jointcheck.storage.models import CheckCountRow, VenueRow
from jointcheck.storage.repositories._chunks import chunked, copy_rows, table_of
from jointcheck.storage.repositories.areas import AreaRepository

SEED = 20261122
DAY = date(2026, 11, 22)
ZONE = ZoneInfo("Asia/Shanghai")
CATEGORIES = ("mall-supermarket", "restaurant", "office", "market", "hotel",
              "residential-quarter", "gym", "convenience-store")
OUTCOME_SHARES = {"admit": 0.90, "register": 0.04, "persuade": 0.03, "restrict": 0.02,
                  "deny": 0.01}
BASIS_SHARES = {"vaccinated": 0.7, "code-color": 0.3}
# Share of a day's checks in each local hour: quiet at night, peaks at noon and evening.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 5, 9, 12, 10, 9, 11, 13, 11, 9, 9, 10, 12, 13, 11, 8, 5, 3, 2]


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    # Knuth's method: exact, and quick for small means.
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def draw_counts(events: int, venues: int, seed: int = SEED) -> Iterator[tuple[int, int, str,
                                                                             str, int]]:
    """Yield (venue index, local hour, outcome, basis, count) of a drawn day, nonzero only."""
    rng = random.Random(seed)
    weights = [rng.lognormvariate(0, 1) for _ in range(venues)]
    scale = events / sum(weights)
    hours = sum(HOUR_WEIGHTS)
    for venue, weight in enumerate(weights):
        volume = weight * scale
        for hour, hour_weight in enumerate(HOUR_WEIGHTS):
            for outcome, outcome_share in OUTCOME_SHARES.items():
                for basis, basis_share in BASIS_SHARES.items():
                    count = _poisson(rng, volume * hour_weight / hours * outcome_share
                                     * basis_share)
                    if count:
                        yield venue, hour, outcome, basis, count


def venue_code(index: int) -> str:
    """Return the code of the bench district's venue ``index``."""
    return f"bv-{index:05d}"


def set_up(engine: Engine, streets: int, venues: int, events: int) -> tuple[int, int]:
    """Store the district and the day's hourly count rows; return (rows, events)."""
    with unit_of_work(make_sessions(engine)) as session:
        AreaRepository(session).upsert(
            [Area.of("bz", "Bench District")]
            + [Area.of(f"bz.s{s:02d}", f"Street {s}") for s in range(streets)])
        session.flush()
        for batch in chunked({"code": venue_code(i), "name": f"Venue {i}",
                              "category": CATEGORIES[i % len(CATEGORIES)],
                              "street_code": f"bz.s{i % streets:02d}", "operator_code": None}
                             for i in range(venues)):
            session.execute(insert(table_of(VenueRow)), batch)
    first, _ = hour_range(DAY, ZONE)
    rows: list[dict[str, Any]] = []
    drawn = 0
    for venue, hour, outcome, basis, count in draw_counts(events, venues):
        rows.append({"venue_code": venue_code(venue), "hour": first + timedelta(hours=hour),
                     "outcome": outcome, "basis": basis, "count": count})
        drawn += count
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            copy_rows(connection, table_of(CheckCountRow), rows)
        else:
            for batch in chunked(rows, 50_000):
                connection.execute(insert(table_of(CheckCountRow)), batch)
    return len(rows), drawn


GROUP_BY = text("SELECT venue_code, outcome, sum(count) FROM check_counts "
                "WHERE hour >= :start AND hour < :end GROUP BY venue_code, outcome")


def _timed(action: Any, repeat: int) -> float:
    seconds = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds)


def measure(url: URL, streets: int, venues: int, events: int, repeat: int) -> dict[str, Any]:
    """Set up one database and time the roll-up of the day beside the bare GROUP BY."""
    migrate(url)
    engine = make_engine(url)
    try:
        began = time.perf_counter()
        rows, drawn = set_up(engine, streets, venues, events)
        loaded = time.perf_counter() - began
        sessions = make_sessions(engine)
        now = datetime.now(UTC)
        facts: list[int] = []

        def roll_up() -> None:
            with unit_of_work(sessions) as session:
                facts[:] = [recompute_days(session, [DAY], ZONE, now)[0].fact_rows]

        start, end = hour_range(DAY, ZONE)
        groups: list[int] = []

        def group_by() -> None:
            with engine.connect() as connection:
                groups[:] = [len(connection.execute(GROUP_BY, {"start": start,
                                                               "end": end}).all())]

        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.execute(text("ANALYZE check_counts"))
                connection.commit()
        group_seconds = _timed(group_by, repeat)
        rollup_seconds = _timed(roll_up, repeat)
    finally:
        engine.dispose()
    return {"database": url.get_backend_name(), "events": drawn, "count_rows": rows,
            "load_s": round(loaded, 2), "fact_rows": facts[0], "groups": groups[0],
            "rollup_ms": round(rollup_seconds * 1000, 1),
            "group_by_ms": round(group_seconds * 1000, 1),
            "ratio": round(rollup_seconds / group_seconds, 2)}


def run(targets: list[str] | None = None, events: int = 10_000_000, streets: int = 20,
        venues: int = 5000, repeat: int = 3) -> dict[str, Any]:
    """Run the benchmark on each target (``sqlite://`` or a PostgreSQL server URL)."""
    results, skipped = on_each_database(
        targets or ["sqlite://"],
        lambda scratch, _folder: measure(scratch, streets, venues, events, repeat))
    return {"events": events, "streets": streets, "venues": venues, "day": DAY.isoformat(),
            "timezone": str(ZONE), "repeat": repeat, "seed": SEED, "results": results,
            "skipped": skipped}

