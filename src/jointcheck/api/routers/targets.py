"""Dose targets (R13): ``POST /api/targets`` assigns one, ``GET /api/targets/{id}`` reports it.

Assigning needs ``targets.write`` over the area (the district's health authority); the doses
are split to the area's streets in proportion to their eligible unvaccinated residents (age
from the district policy's ``eligible_from``) or by hand. The report needs ``targets.read``:
over the target's area for the whole, or over some of its streets for their shares alone. It
is computed from the vaccination records as of today in the district's time zone.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictInt, StrictStr

from jointcheck.api.deps import AuditDep, ContextDep, PrincipalDep, SessionDep
from jointcheck.api.errors import AUTH_RESPONSES, documented
from jointcheck.api.routers.checks import PackDep
from jointcheck.services.targets import set_target, target_report
from jointcheck.targets import TargetSpec, parse_split_method

router = APIRouter(prefix="/api", tags=["targets"], responses=AUTH_RESPONSES)


class TargetIn(BaseModel):
    """A target of doses for a district or street within a period of local days."""

    area: StrictStr = Field(description="A district or street code.", examples=["fz"])
    doses: StrictInt = Field(description="How many doses, in all.", examples=[54000])
    start: date = Field(description="The first local day.")
    end: date = Field(description="The last local day, included.")
    split: Literal["proportional", "manual"] = "proportional"
    streets: dict[str, StrictInt] | None = Field(
        None, description="A split by hand: doses per street code; they sum to `doses`.")


class DayOut(BaseModel):
    """The doses given on one local day of the period, and the total so far."""

    day: date
    doses: int
    cumulative: int


class ProgressOut(BaseModel):
    """A target's (or a street's share's) progress, current rate and forecast."""

    phase: Literal["not-started", "running", "ended"]
    given: int
    remaining: int
    percent: float
    rate: float | None = Field(description="Doses a day over the last complete days (up "
                               "to 3); null before the first complete day.")
    required_rate: float | None = Field(description="Doses a day still needed to meet the "
                                        "target; null once the period is over.")
    forecast: int | None = Field(description="The total expected by the end at the current "
                                 "rate (the final count once the period is over).")
    will_meet: bool | None
    days: list[DayOut]


class ShareOut(BaseModel):
    """One street's share and its progress."""

    street: str
    doses: int
    eligible_unvaccinated: int | None
    progress: ProgressOut


class TargetOut(BaseModel):
    """A target as of today in the district; ``progress`` is null for a reader who sees
    only some of its streets."""

    id: int
    area: str
    doses: int
    start: date
    end: date
    split: str
    eligible_from: int | None
    assigned_by: str
    created_at: str
    today: date
    progress: ProgressOut | None
    streets: list[ShareOut]


SET_RESPONSES = (
    documented(404, "The area is not in the registry (`unknown-area`)")
    | documented(422, "A malformed target (`bad-doses`, `bad-period`, `bad-area`) or split "
                 "(`bad-split`, `split-mismatch`, `unknown-street`, `no-eligible`); nothing "
                 "is stored"))


@router.post("/targets", response_model=TargetOut, status_code=201, responses=SET_RESPONSES)
def assign_target(body: TargetIn, principal: PrincipalDep, session: SessionDep,
                  context: ContextDep, pack: PackDep, audit: AuditDep) -> dict[str, Any]:
    """Assign a dose target to an area, split to its streets (audited); answer with its
    report."""
    spec = TargetSpec(body.area, body.doses, body.start, body.end)
    now = context.clock.now()
    target_id = set_target(session, audit, principal, spec, parse_split_method(body.split),
                           pack, body.streets)
    report = target_report(session, principal, target_id,
                           now.astimezone(context.settings.timezone).date())
    return report.as_dict()


@router.get("/targets/{target_id}", response_model=TargetOut,
            responses=documented(404, "No such target (`unknown-target`)"))
def read_target(target_id: int, principal: PrincipalDep, session: SessionDep,
                context: ContextDep) -> dict[str, Any]:
    """Report a target's daily progress and forecast, in all and per street in scope."""
    today = context.clock.now().astimezone(context.settings.timezone).date()
    return target_report(session, principal, target_id, today).as_dict()
