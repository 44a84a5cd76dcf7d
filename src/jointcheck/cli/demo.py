"""``jointcheck demo``: a local district server on SQLite, seeded with a synthetic district."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
import uvicorn
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from jointcheck.api.app import create_app
from jointcheck.cli.common import console, errors, usage_error
from jointcheck.clock import SystemClock
from jointcheck.errors import JointcheckError
from jointcheck.security.access import Role
from jointcheck.services.demo_setup import DemoReady, demo_plan, prepare_demo
from jointcheck.services.import_engine import Progress as ProgressCallback

# Who to log in as on the operations pages, and what each sees there.
OPERATIONS_USERS = ((Role.HEALTH_AUTHORITY, "the district's dashboard, targets, follow-up"),
                    (Role.STREET_OFFICER, "a street's day reports and venues"),
                    (Role.GRID_WORKER, "a grid's follow-up worklist and surveys"),
                    (Role.ORG_ADMIN, "a school's roster and investigation"),
                    (Role.INSPECTOR, "venue compliance, inspections, complaints"),
                    (Role.INDUSTRY_SUPERVISOR, "coverage of one industry's organisations"))


def demo_command(
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    db: Path = typer.Option(Path("var/demo/jointcheck.db"), "--db",
                            help="The demo's SQLite file; its folder keeps the keys too."),
    residents: int | None = typer.Option(None, "--residents", min=500,
                                         help="Residents of the district (default 20,000)."),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the district (default 2021)."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the server after "
                               "setting up (default) or only set up."),
) -> None:
    """Create or reuse a demo district (database, keys, residents, users) and serve it."""
    folder = db.resolve().parent
    now = SystemClock().now()
    try:
        plan = demo_plan(folder, seed, residents, now)
        errors.print(f"demo district: seed {plan.seed}, {plan.residents:,} residents, as of "
                     f"{plan.today} ({folder})", markup=False, highlight=False)
        with _progress() as progress:
            ready = prepare_demo(folder, db.resolve(), plan, now, progress)
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    _print_welcome(ready, host, port)
    if serve:
        uvicorn.run(create_app(ready.settings), host=host, port=port, log_level="info")


@contextmanager
def _progress() -> Iterator[ProgressCallback]:
    bars = Progress(TextColumn("{task.description:>18}"), BarColumn(), TextColumn(
        "{task.completed:>8,}/{task.fields[of]}"), TimeElapsedColumn(), console=errors,
        transient=True)
    tasks: dict[str, TaskID] = {}

    def update(phase: str, done: int, total: int | None) -> None:
        # A phase may not know its total yet (None): the bar then pulses and shows "?".
        of = "?" if total is None else f"{total:,}"
        if phase not in tasks:
            tasks[phase] = bars.add_task(phase, total=total, of=of)
        bars.update(tasks[phase], completed=done, total=total, of=of)

    with bars:
        yield update


def _print_welcome(ready: DemoReady, host: str, port: int) -> None:
    inserted = ready.report.inserted
    if ready.report.changed:
        console.print("seeded: " + ", ".join(f"{count:,} {kind}"
                                             for kind, count in inserted.items() if count))
    else:
        console.print("the district was already seeded; nothing changed")
    if ready.history is not None:
        console.print("history: " + ready.history.summary(), markup=False, highlight=False)
    base = f"http://{host}:{port}"
    console.print(f"\n[bold]jointcheck demo[/] at {base}  (API documentation: {base}/docs)")
    table = Table(title="Log in with POST /api/auth/login (or the Authorize button on /docs)")
    for column in ("username", "password", "role"):
        table.add_column(column, no_wrap=True)
    table.add_column("scope", overflow="fold")
    for user in ready.users:
        table.add_row(user.username, user.password, str(user.role), user.scope)
    console.print(table)
    console.print(f"for example:\n  curl -s {base}/api/auth/login -H 'content-type: "
                  f"application/json' -d '{{\"username\": \"{ready.users[0].username}\", "
                  f"\"password\": \"{ready.users[0].password}\"}}'", soft_wrap=True,
                  markup=False)
    operator = next((u for u in ready.users if u.role == "venue-operator"), None)
    if operator is not None:
        console.print(f"\n[bold]Scanner page[/]: {base}/check  (log in as {operator.username})")
    _print_operations(ready, base)
    if ready.samples_folder is not None and ready.samples:
        console.print(f"Sample codes to scan or paste, with what the page should show: "
                      f"{ready.samples_folder / 'codes.txt'}", soft_wrap=True, markup=False,
                      highlight=False)
        for sample in ready.samples:
            console.print(f"  {sample.outcome:<9} {sample.who}", markup=False,
                          highlight=False)


def _print_operations(ready: DemoReady, base: str) -> None:
    console.print(f"\n[bold]Operations pages[/]: {base}/ops  (log in as one of these)")
    for role, what in OPERATIONS_USERS:
        user = next((u for u in ready.users if u.role is role), None)
        if user is not None:
            console.print(f"  {user.username:<11} {role}: {what}", markup=False,
                          highlight=False)
