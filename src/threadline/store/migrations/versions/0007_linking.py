"""links, networks, network members, hub decisions and linking runs

Revision ID: 0007_linking
Revises: 0006_hashes
Create Date: 2026-11-23 02:27:27.006726
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_linking"
down_revision: str | None = "0006_hashes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("input_digest", sa.String(length=64), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_link_runs_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_runs")),
    )
    with op.batch_alter_table("link_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_runs_case_id"), ["case_id"], unique=False)

    op.create_table(
        "hub_decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("hub", sa.Boolean(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["link_runs.id"], name=op.f("fk_hub_decisions_run_id_link_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_decisions")),
    )
    with op.batch_alter_table("hub_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hub_decisions_run_value", ["run_id", "type", "value"], unique=False
        )

    op.create_table(
        "networks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_networks_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["link_runs.id"], name=op.f("fk_networks_run_id_link_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.UniqueConstraint("run_id", "key", name=op.f("uq_networks_run_id")),
    )
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_networks_case_id"), ["case_id"], unique=False)

    op.create_table(
        "links",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("record_a", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("record_b", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_a"], ["records.id"], name=op.f("fk_links_record_a_records")
        ),
        sa.ForeignKeyConstraint(
            ["record_b"], ["records.id"], name=op.f("fk_links_record_b_records")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["link_runs.id"], name=op.f("fk_links_run_id_link_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_links_record_b"), ["record_b"], unique=False)
        batch_op.create_index("ix_links_run_a", ["run_id", "record_a"], unique=False)

    op.create_table(
        "network_members",
        sa.Column(
            "network_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_network_members_network_id_networks")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_network_members_record_id_records")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["link_runs.id"], name=op.f("fk_network_members_run_id_link_runs")
        ),
        sa.PrimaryKeyConstraint("network_id", "record_id", name=op.f("pk_network_members")),
    )
    with op.batch_alter_table("network_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_network_members_record_id"), ["record_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_network_members_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("network_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_network_members_run_id"))
        batch_op.drop_index(batch_op.f("ix_network_members_record_id"))

    op.drop_table("network_members")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_run_a")
        batch_op.drop_index(batch_op.f("ix_links_record_b"))

    op.drop_table("links")
    with op.batch_alter_table("networks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_networks_case_id"))

    op.drop_table("networks")
    with op.batch_alter_table("hub_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_hub_decisions_run_value")

    op.drop_table("hub_decisions")
    with op.batch_alter_table("link_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_runs_case_id"))

    op.drop_table("link_runs")
