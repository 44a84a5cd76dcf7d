"""A member's vaccination status on a day, under the policy pack in force.

The statuses and how they are worked out live in ``jointcheck.rules.status``, the one
reading that follow-up and the survey use as well; they are re-exported here with the error
of the organisation use cases.
"""

from __future__ import annotations

from jointcheck.errors import JointcheckError
from jointcheck.rules.status import STATUSES, PersonFacts, Status, exempt_on, status_of


class OrganisationError(JointcheckError, ValueError):
    """A roster, a post check, a school investigation or a meeting check is malformed.

    Codes: ``bad-csv`` (a roster file line), ``unknown-person``, ``duplicate-member``,
    ``not-a-member``, ``not-a-school``, ``investigation-exists``, ``bad-day``, ``bad-kind``,
    ``bad-attendees``, ``unknown-attendee``.
    """

    stage = "organisation"


__all__ = ["STATUSES", "OrganisationError", "PersonFacts", "Status", "exempt_on", "status_of"]
