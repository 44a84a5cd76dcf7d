"""``jointcheck users``, ``tokens`` and ``audit``: accounts, API tokens and the audit chain.

Each command that changes data commits once and appends an audit entry whose actor is
``cli:<operating system user>`` (role ``cli``): the command line runs with the database's own
rights, and the log still says who ran it.

Exit status: 0 done (``audit verify``: the chain is intact), 1 ``audit verify`` found a break,
2 usage error (bad settings, a database not upgraded, an unknown user or token, a refused
value such as a scope that does not exist or a weak password).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from jointcheck.cli.common import EXIT_OK, EXIT_REFUSED, JsonOption, console, errors, print_json
from jointcheck.cli.common import usage_error as fail
from jointcheck.cli.database import DbOption, cli_actor, database_session, settings_or_exit
from jointcheck.clock import SystemClock
from jointcheck.config import ConfigError, audit_key
from jointcheck.errors import JointcheckError
from jointcheck.security.audit_chain import JsonValue
from jointcheck.services import audit, tokens, users

users_app = typer.Typer(help="User accounts: a role and a scope each.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for checkpoints and scripts.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)

CLI_ROLE = "cli"


@contextmanager
def _work(db: str | None) -> Iterator[tuple[Session, bytes]]:
    """Yield one session (committed once) and the audit key; refusals become usage errors."""
    settings = settings_or_exit()
    try:
        key = audit_key(settings)
    except ConfigError as exc:
        fail(f"{exc.message} ({exc.code})")
    try:
        with database_session(db, settings) as session:
            yield session, key
    except JointcheckError as exc:
        fail(f"{exc.message} ({exc.code})")


def _record(session: Session, key: bytes, action: str, subject: str | None,
            area: str | None, detail: dict[str, JsonValue]) -> None:
    audit.append(session, key, at=SystemClock().now(), actor_id=cli_actor(),
                 actor_role=CLI_ROLE, action=action, subject=subject, area=area,
                 detail=detail)


def _password(password_file: Path | None, no_password: bool) -> str | None:
    if no_password:
        if password_file is not None:
            fail("--no-password and --password-file exclude each other")
        return None
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            fail(f"cannot read {password_file}: {exc.strerror}")
        return lines[0] if lines else ""
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add_user(username: str = typer.Argument(..., help="The login name."),
             role: str = typer.Option(..., "--role", help="health-authority, street-officer, "
                                      "grid-worker, venue-operator, org-admin, "
                                      "industry-supervisor, inspector or resident."),
             scope: str = typer.Option(..., "--scope", help="What the role covers: an area "
                                       "code (fz, fz.s01, fz.s01.c01), a venue or organisation "
                                       "code, an industry, or a resident's pid."),
             name: str = typer.Option("", "--name", help="The display name."),
             password_file: Path | None = typer.Option(None, "--password-file",
                                                       help="Read the password from the first "
                                                       "line of this file (else a prompt)."),
             no_password: bool = typer.Option(False, "--no-password",
                                              help="A user that only holds API tokens."),
             db: str | None = DbOption) -> None:
    """Create a user with a role and a scope."""
    password = _password(password_file, no_password)
    with _work(db) as (session, key):
        user = users.create_user(session, username=username, display_name=name, role=role,
                                 scope=scope, password=password, at=SystemClock().now())
        _record(session, key, "users.create", user.username,
                users.home_area(session, user.role, user.scope),
                {"role": str(user.role), "scope": user.scope})
    console.print(f"user {user.username} created: {user.role} of {user.scope}",
                  markup=False, highlight=False)


@tokens_app.command("issue")
def issue_token(username: str = typer.Argument(..., help="The user the token acts for."),
                label: str = typer.Option("", "--label", help="What the token is for "
                                          "(a checkpoint's name)."),
                expires_days: int | None = typer.Option(None, "--expires-days", min=1,
                                                        help="Expire after N days (default: "
                                                        "never; revoke it instead)."),
                permission: list[str] = typer.Option([], "--permission",
                                                     help="Narrow the token to this permission "
                                                     "of the role (repeat)."),
                db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Issue an API token and print it once (it cannot be shown again)."""
    at = SystemClock().now()
    expires = None if expires_days is None else at + timedelta(days=expires_days)
    with _work(db) as (session, key):
        issued = tokens.issue_api_token(session, username, at=at, label=label,
                                        expires_at=expires, permissions=permission or None)
        _record(session, key, "tokens.issue", issued.user.username,
                users.home_area(session, issued.user.role, issued.user.scope),
                {"token_id": issued.token_id})
    if as_json:
        print_json(issued.as_dict())
        return
    typer.echo(issued.text)
    until = "never expires" if issued.expires_at is None else \
        f"expires {issued.expires_at.isoformat()}"
    errors.print(f"token {issued.token_id} for {issued.user.username} ({until}); it is shown "
                 "this once", markup=False, highlight=False)


@tokens_app.command("revoke")
def revoke_token(token_id: str = typer.Argument(..., help="The token id (the part after "
                                                "jct_)."),
                 db: str | None = DbOption) -> None:
    """Revoke an API or session token."""
    with _work(db) as (session, key):
        owner = tokens.token_owner(session, token_id)
        revoked = tokens.revoke(session, token_id, SystemClock().now())
        _record(session, key, "tokens.revoke", owner.username,
                users.home_area(session, owner.role, owner.scope),
                {"token_id": token_id, "revoked": revoked})
    console.print(f"token {token_id} " + ("revoked" if revoked else "was revoked already"),
                  markup=False, highlight=False)


@audit_app.command("verify")
def verify(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Re-walk the audit chain against its newest anchor; exit 1 at the first break."""
    with _work(db) as (session, key):
        report = audit.verify(session, key)
    if as_json:
        print_json(report.as_dict())
    elif report.ok:
        console.print(report.message, markup=False, highlight=False)
    else:
        console.print(f"broken at entry {report.sequence}: {report.reason}: {report.message}",
                      markup=False, highlight=False)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_REFUSED)


@audit_app.command("anchor")
def anchor(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Verify the chain, then record its count and head hash (copy them out as well)."""
    with _work(db) as (session, key):
        count, head = audit.anchor(session, key, SystemClock().now())
    if as_json:
        print_json({"count": count, "head": head})
        return
    console.print(f"anchored {count} entries, head {head}", markup=False, highlight=False)
