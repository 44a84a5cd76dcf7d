"""The ``jointcheck`` command."""

from __future__ import annotations

import typer

from jointcheck.cli import (
    access,
    bench,
    check,
    checkpoint,
    checks,
    conformance,
    demo,
    followup,
    inspections,
    issue,
    keys,
    organisations,
    policy,
    registry,
    reports,
    serve,
    targets,
    verify,
)

app = typer.Typer(
    name="jointcheck",
    help="Joint check of a health code and a vaccination certificate: issue, verify, decide.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(keys.app, name="keys")
app.add_typer(issue.app, name="issue")
app.command("verify")(verify.verify_command)
app.command("check")(check.check_command)
app.add_typer(policy.app, name="policy")
app.add_typer(conformance.app, name="conformance")
app.add_typer(bench.app, name="bench")
app.add_typer(registry.db_app, name="db")
app.add_typer(registry.import_app, name="import")
app.add_typer(access.users_app, name="users")
app.add_typer(access.tokens_app, name="tokens")
app.add_typer(access.audit_app, name="audit")
app.add_typer(checks.app, name="checks")
app.add_typer(targets.app, name="targets")
app.add_typer(inspections.app, name="inspections")
app.add_typer(followup.app, name="followup")
app.command("investigate")(inspections.investigate_command)
app.add_typer(reports.app, name="reports")
app.add_typer(organisations.app, name="organisations")
app.command("serve")(serve.serve_command)
app.command("checkpoint")(checkpoint.checkpoint_command)
app.command("demo")(demo.demo_command)


if __name__ == "__main__":
    app()
