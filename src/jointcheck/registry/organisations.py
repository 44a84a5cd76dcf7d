"""Organisations (organs, enterprises, institutions, schools) and the posts their people hold.

An organisation has a type, an industry (the slugs below; the service industries of the
guiding opinions §5 are marked), the department that supervises that industry, and the street
it is in. A membership puts a resident (by pid) in an organisation in a post; the post is what
the policy looks at (R10-R12):

- ``first-line-teaching``: a teacher in class (R11: not without vaccination or exemption)
- ``front-line-service``: a post facing the public in a listed service industry (R12)
- ``leadership``: a cadre of an organ, enterprise or institution (R10, meetings and training)
- ``office``: staff not facing the public
- ``logistics``: canteen, cleaning, security, drivers
- ``student``: a pupil or student of a school (R11)
- ``family-member``: a family member of a student, whose records a school checks (R11)
- ``other``
"""

from __future__ import annotations

from dataclasses import dataclass

from jointcheck.errors import RegistryError
from jointcheck.registry.areas import AreaLevel, level_of
from jointcheck.registry.fields import check_code, require

ORGANISATION_TYPES: tuple[str, ...] = (
    "government", "enterprise", "public-institution", "school", "medical",
    "social-organisation", "other",
)

SERVICE_INDUSTRIES: tuple[str, ...] = (
    "transport", "medical", "catering", "hotel", "retail", "express-delivery", "tourism",
    "sanitation", "domestic-service", "crowded-places", "imported-goods",
)
"""The service industries whose employees take up their posts only when vaccinated (R12)."""

INDUSTRIES: tuple[str, ...] = (*SERVICE_INDUSTRIES, "education", "government", "finance",
                               "manufacturing", "construction", "other")

POSTS: tuple[str, ...] = (
    "first-line-teaching", "front-line-service", "leadership", "office", "logistics",
    "student", "family-member", "other",
)


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation of the district."""

    code: str
    name: str
    type: str
    industry: str
    supervising_department: str
    street: str

    def __post_init__(self) -> None:
        check_code(self.code, "organisation")
        require(self.name, "organisation name")
        if self.type not in ORGANISATION_TYPES:
            raise RegistryError("unknown-organisation-type",
                                f"organisation type {self.type!r} is not one of "
                                f"{', '.join(ORGANISATION_TYPES)}")
        if self.industry not in INDUSTRIES:
            raise RegistryError("unknown-industry", f"industry {self.industry!r} is not one of "
                                f"{', '.join(INDUSTRIES)}")
        if level_of(self.street) is not AreaLevel.STREET:
            raise RegistryError("bad-level", f"{self.street!r} is not a street")

    @property
    def is_service_industry(self) -> bool:
        """Tell whether the organisation is in one of the listed service industries (R12)."""
        return self.industry in SERVICE_INDUSTRIES


@dataclass(frozen=True, slots=True)
class Membership:
    """A resident's post in an organisation."""

    organisation: str
    pid: str
    post: str

    def __post_init__(self) -> None:
        require(self.pid, "pid")
        if self.post not in POSTS:
            raise RegistryError("unknown-post", f"post {self.post!r} is not one of "
                                f"{', '.join(POSTS)}")
