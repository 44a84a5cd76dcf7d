"""The registry: areas, residents, vaccinations, contraindications, organisations, venues.

Revision ID: 0001_registry
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_registry"
down_revision = None
branch_labels = None
depends_on = None

CODE = 64
TEXT = 200


def _code(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(CODE), nullable=nullable)


def _text(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(TEXT), nullable=False)


def _fk(table: str, column: str, target: str, cascade: bool = False) -> sa.ForeignKeyConstraint:
    target_table = target.split(".", maxsplit=1)[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{target_table}"),
        ondelete="CASCADE" if cascade else None)


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def upgrade() -> None:
    """Create the registry's tables."""
    op.create_table(
        "areas", _code("code"), _text("name"),
        sa.Column("level", sa.String(16), nullable=False), _code("parent_code", nullable=True),
        sa.CheckConstraint("level IN ('district', 'street', 'community', 'grid')",
                           name=op.f("ck_areas_level")),
        _fk("areas", "parent_code", "areas.code"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_areas")))
    _index("areas", "parent_code")

    op.create_table(
        "organisations", _code("code"), _text("name"), _code("type"), _code("industry"),
        _text("supervising_department"), _code("street_code"),
        _fk("organisations", "street_code", "areas.code"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_organisations")))
    _index("organisations", "industry")
    _index("organisations", "street_code")

    op.create_table(
        "residents", sa.Column("id", sa.Integer(), nullable=False), _code("pid"),
        sa.Column("sex", sa.String(8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False), _code("area_code"),
        *(sa.Column(f"{field}_enc", sa.LargeBinary(), nullable=False)
          for field in ("name", "id_number", "phone", "address")),
        _code("content_digest"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("residents", "area_code", "areas.code"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residents")),
        sa.UniqueConstraint("pid", name=op.f("uq_residents_pid")))
    _index("residents", "area_code")
    _index("residents", "birth_date")

    op.create_table(
        "contraindications", sa.Column("id", sa.Integer(), nullable=False),
        _text("certificate_id"), _code("pid"), _text("institution"),
        sa.Column("institution_level", sa.SmallInteger(), nullable=False),
        _code("reason_category"), sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        _fk("contraindications", "pid", "residents.pid", cascade=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contraindications")),
        sa.UniqueConstraint("certificate_id", name=op.f("uq_contraindications_certificate_id")))
    _index("contraindications", "pid")

    op.create_table(
        "memberships", sa.Column("id", sa.Integer(), nullable=False),
        _code("organisation_code"), _code("pid"), _code("post"),
        _fk("memberships", "organisation_code", "organisations.code", cascade=True),
        _fk("memberships", "pid", "residents.pid", cascade=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("organisation_code", "pid", "post",
                            name=op.f("uq_memberships_organisation_code_pid_post")))
    _index("memberships", "pid")

    op.create_table(
        "vaccinations", sa.Column("id", sa.Integer(), nullable=False), _code("pid"),
        _code("product"), sa.Column("dose_number", sa.SmallInteger(), nullable=False),
        sa.Column("series_total", sa.SmallInteger(), nullable=False),
        sa.Column("vaccinated_on", sa.Date(), nullable=False), _text("site"), _text("lot"),
        sa.Column("source_id", sa.String(TEXT), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        _fk("vaccinations", "pid", "residents.pid", cascade=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vaccinations")),
        sa.UniqueConstraint("pid", "product", "dose_number", "vaccinated_on",
                            name=op.f("uq_vaccinations_pid_product_dose_number_vaccinated_on")))
    _index("vaccinations", "vaccinated_on")

    op.create_table(
        "venues", _code("code"), _text("name"), _code("category"), _code("street_code"),
        _code("operator_code", nullable=True),
        _fk("venues", "operator_code", "organisations.code"),
        _fk("venues", "street_code", "areas.code"),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_venues")))
    for column in ("category", "operator_code", "street_code"):
        _index("venues", column)

    op.create_table(
        "checkpoints", _code("code"), _code("venue_code"), _text("name"),
        _fk("checkpoints", "venue_code", "venues.code", cascade=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_checkpoints")))
    _index("checkpoints", "venue_code")


def downgrade() -> None:
    """Drop the registry's tables."""
    for table in ("checkpoints", "venues", "vaccinations", "memberships", "contraindications",
                  "residents", "organisations", "areas"):
        op.drop_table(table)
