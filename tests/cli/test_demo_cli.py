"""``jointcheck demo``: the district comes with a recent history the operations pages show."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from jointcheck.api.app import create_app
from jointcheck.cli.main import app
from jointcheck.services.demo_setup import demo_settings
from jointcheck.storage.models import (
    AuditLogRow,
    CheckCountRow,
    DoseTargetRow,
    FollowupOutcomeRow,
    InspectionRow,
    RegistrationRow,
)

COUNTED = (AuditLogRow, CheckCountRow, DoseTargetRow, FollowupOutcomeRow, InspectionRow,
           RegistrationRow)


def stored(database: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            counts = {model.__tablename__: connection.scalar(
                select(func.count()).select_from(model)) or 0 for model in COUNTED}
            counts["checks"] = connection.scalar(select(func.sum(CheckCountRow.count))) or 0
            return counts
    finally:
        engine.dispose()


def password_of(output: str, username: str) -> str:
    found = re.search(rf"│ {username}\s+│ (\S+)\s+│", output)
    assert found is not None, output
    return found.group(1)


def test_demo_seeds_a_history_once_and_prints_the_operations_pages(tmp_path: Path) -> None:
    database = tmp_path / "demo" / "jointcheck.db"
    arguments = ["demo", "--db", str(database), "--residents", "500", "--no-serve"]
    first = CliRunner().invoke(app, arguments)
    assert first.exit_code == 0, first.stderr
    assert "history: 14 days of checks" in first.stdout
    assert "Operations pages: http://127.0.0.1:8000/ops" in first.stdout
    for username, role in (("authority", "health-authority"), ("street1", "street-officer"),
                           ("grid1", "grid-worker"), ("school1", "org-admin"),
                           ("inspector1", "inspector"), ("industry1", "industry-supervisor")):
        assert re.search(rf"^  {username}\s+{role}: ", first.stdout, re.MULTILINE)
    before = stored(database)
    assert before["checks"] > 0 and before["dose_targets"] == 1
    assert before["followup_outcomes"] > 0 and before["inspections"] > 0

    again = CliRunner().invoke(app, arguments)
    assert again.exit_code == 0, again.stderr
    assert "nothing changed" in again.stdout and "history:" not in again.stdout
    assert "/ops" in again.stdout
    assert stored(database) == before

    # The street officer sees yesterday's day report of the street, with checks in it.
    today = date.fromisoformat(json.loads((database.parent / "demo.json").read_text())["today"])
    settings = demo_settings(database.parent, database)
    with TestClient(create_app(settings)) as client:
        login = client.post("/api/auth/login", json={
            "username": "street1", "password": password_of(first.stdout, "street1")})
        assert login.status_code == 200, login.text
        headers = {"authorization": f"Bearer {login.json()['token']}"}
        day = (today - timedelta(days=1)).isoformat()
        report = client.get(f"/api/reports/streets/fz.s01/days/{day}", headers=headers)
        assert report.status_code == 200, report.text
        assert report.json()["checks"] > 0
