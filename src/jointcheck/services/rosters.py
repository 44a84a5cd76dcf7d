"""Use cases of rosters: import an organisation's roster, add one member, take a post away.

All need ``organisations.write`` over the organisation. A roster file is CSV with the header
``id_number,post`` and one post of one person a line; identity numbers are pseudonymised
with the registry's key and never stored. The import is all or nothing: a line naming
someone the registry does not know, an unknown post or a line repeating an earlier one is
refused with its line number, and nothing is stored. Posts already held are counted as
unchanged; the import adds posts and takes none away.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy.orm import Session

from jointcheck.config import RegistryKeys
from jointcheck.errors import NotFoundError
from jointcheck.organisations import OrganisationError
from jointcheck.registry.organisations import POSTS, Membership
from jointcheck.security.access import Permission, Principal
from jointcheck.security.pseudonym import pseudonymise
from jointcheck.services.audit import AuditTrail
from jointcheck.services.organisations import organisation_for
from jointcheck.storage.repositories.organisations import OrganisationRepository
from jointcheck.storage.repositories.residents import ResidentRepository

HEADER = ("id_number", "post")
MAX_LINES = 100_000
"""Most lines of one roster file."""


@dataclass(frozen=True, slots=True)
class RosterImport:
    """What an import did: posts added, posts already held."""

    organisation: str
    added: int
    unchanged: int


def _post(post: str, where: str) -> str:
    if post not in POSTS:
        raise OrganisationError("unknown-post", f"{where}: post {post!r} is not one of "
                                f"{', '.join(POSTS)}")
    return post


def _pid(id_number: str, keys: RegistryKeys, where: str) -> str:
    try:
        return pseudonymise(id_number, keys.pseudonym_key)
    except ValueError:
        raise OrganisationError("bad-csv", f"{where}: the identity number is empty") from None


def parse_roster(text: str, keys: RegistryKeys) -> list[tuple[int, str, str]]:
    """Return ``(line, pid, post)`` of each line of a roster file; raise ``OrganisationError``
    naming the first bad line."""
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not lines or tuple(cell.strip().lower() for cell in lines[0]) != HEADER:
        raise OrganisationError("bad-csv", "line 1: the header must be id_number,post")
    if len(lines) > MAX_LINES + 1:
        raise OrganisationError("bad-csv", f"a roster file has at most {MAX_LINES} lines")
    found: list[tuple[int, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        where = f"line {number}"
        if len(cells) != len(HEADER):
            raise OrganisationError("bad-csv", f"{where}: expected 2 fields, found {len(cells)}")
        pid = _pid(cells[0], keys, where)
        post = _post(cells[1].strip(), where)
        if (pid, post) in seen:
            raise OrganisationError("duplicate-member", f"{where}: repeats line "
                                    f"{seen[(pid, post)]}")
        seen[(pid, post)] = number
        found.append((number, pid, post))
    if not found:
        raise OrganisationError("bad-csv", "the roster file has no lines after the header")
    return found


def import_roster(session: Session, trail: AuditTrail, keys: RegistryKeys,
                  principal: Principal, code: str, text: str) -> RosterImport:
    """Add the posts of a roster file to organisation ``code``; all or nothing."""
    organisation = organisation_for(session, principal, Permission.ORGANISATIONS_WRITE, code)
    lines = parse_roster(text, keys)
    known = ResidentRepository(session).existing([pid for _, pid, _ in lines])
    for number, pid, _ in lines:
        if pid not in known:
            raise OrganisationError("unknown-person", f"line {number}: the registry has no "
                                    "resident with this identity number")
    repository = OrganisationRepository(session)
    held = {(m.pid, m.post) for m in repository.members(code)}
    new = [Membership(code, pid, post) for _, pid, post in lines if (pid, post) not in held]
    repository.add_members(new)
    trail.record(principal, "organisations.roster.imported", code, organisation.street,
                 {"added": len(new), "unchanged": len(lines) - len(new)})
    return RosterImport(code, len(new), len(lines) - len(new))


def add_member(session: Session, trail: AuditTrail, keys: RegistryKeys, principal: Principal,
               code: str, id_number: str, post: str) -> tuple[str, bool]:
    """Give the resident with ``id_number`` a post; return the pid and whether it was new."""
    organisation = organisation_for(session, principal, Permission.ORGANISATIONS_WRITE, code)
    _post(post, "the post")
    pid = _pid(id_number, keys, "the member")
    if not ResidentRepository(session).existing([pid]):
        raise OrganisationError("unknown-person",
                                "the registry has no resident with this identity number")
    repository = OrganisationRepository(session)
    if any(m.pid == pid for m in repository.members(code, post)):
        return pid, False
    repository.add_member(Membership(code, pid, post))
    trail.record(principal, "organisations.member.added", pid, organisation.street,
                 {"organisation": code, "post": post})
    return pid, True


def remove_member(session: Session, trail: AuditTrail, principal: Principal, code: str,
                  pid: str, post: str) -> None:
    """Take ``post`` from member ``pid``; raise ``NotFoundError`` (``not-a-member``)."""
    organisation = organisation_for(session, principal, Permission.ORGANISATIONS_WRITE, code)
    _post(post, "the post")
    if not OrganisationRepository(session).remove_member(code, pid, post):
        raise NotFoundError("not-a-member", f"{pid} holds no {post} post in {code}")
    trail.record(principal, "organisations.member.removed", pid, organisation.street,
                 {"organisation": code, "post": post})
