"""Organisations, posts, venues and checkpoints."""

from __future__ import annotations

import pytest

from jointcheck.errors import RegistryError
from jointcheck.registry.organisations import POSTS, Membership, Organisation
from jointcheck.registry.venues import Checkpoint, Venue
from jointcheck.rules.venues import VENUE_CATEGORIES


def test_posts_named_by_the_policies_exist() -> None:
    assert {"first-line-teaching", "front-line-service", "office", "student",
            "family-member"} <= set(POSTS)
    with pytest.raises(RegistryError) as caught:
        Membership("org", "p1-a", "janitor")
    assert caught.value.code == "unknown-post"


def test_an_organisation_in_a_service_industry() -> None:
    hotel = Organisation("fz-hotel", "Hotel", "enterprise", "hotel", "Commerce Bureau",
                         "fz.s01")
    school = Organisation("fz-school", "School", "school", "education", "Education Bureau",
                          "fz.s01")
    assert hotel.is_service_industry and not school.is_service_industry


@pytest.mark.parametrize(("change", "code"), [
    ({"type": "club"}, "unknown-organisation-type"),
    ({"industry": "mining-bitcoin"}, "unknown-industry"),
    ({"street": "fz.s01.c01"}, "bad-level"),
    ({"code": "Has Spaces"}, "bad-code"),
])
def test_bad_organisations(change: dict[str, str], code: str) -> None:
    values = {"code": "fz-org", "name": "Org", "type": "enterprise", "industry": "catering",
              "supervising_department": "Market Bureau", "street": "fz.s01"}
    with pytest.raises(RegistryError) as caught:
        Organisation(**(values | change))
    assert caught.value.code == code


def test_venue_categories_are_the_policy_slugs() -> None:
    for category in VENUE_CATEGORIES:
        Venue(f"v-{category}", "Venue", category, "fz.s01", None)
    with pytest.raises(RegistryError) as caught:
        Venue("v-1", "Venue", "casino", "fz.s01", None)
    assert caught.value.code == "unknown-category"
    with pytest.raises(RegistryError) as caught:
        Venue("v-1", "Venue", "hotel", "fz", None)
    assert caught.value.code == "bad-level"


def test_a_checkpoint_needs_a_name() -> None:
    assert Checkpoint("gate-1", "v-1", "Main gate").venue == "v-1"
    with pytest.raises(RegistryError):
        Checkpoint("gate-1", "v-1", "")
