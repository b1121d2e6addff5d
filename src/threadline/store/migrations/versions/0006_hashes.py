"""hash lists, image hashes and matches

Revision ID: 0006_hashes
Revises: 0005_indicators
Create Date: 2026-11-23 02:29:50.622294
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_hashes"
down_revision: str | None = "0005_indicators"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "hash_lists",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("supplied_by", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("match_only", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_lists")),
        sa.UniqueConstraint("name", name=op.f("uq_hash_lists_name")),
    )
    op.create_table(
        "hash_list_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("list_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash_type", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["hash_lists.id"], name=op.f("fk_hash_list_entries_list_id_hash_lists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_list_entries")),
        sa.UniqueConstraint(
            "list_id", "hash_type", "value", name=op.f("uq_hash_list_entries_list_id")
        ),
    )
    with op.batch_alter_table("hash_list_entries", schema=None) as batch_op:
        batch_op.create_index("ix_hash_list_entries_value", ["hash_type", "value"], unique=False)

    op.create_table(
        "hash_matches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("list_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash_type", sa.String(length=8), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("match_only", sa.Boolean(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_hash_matches_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["list_id"], ["hash_lists.id"], name=op.f("fk_hash_matches_list_id_hash_lists")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_hash_matches_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hash_matches")),
        sa.UniqueConstraint("record_id", "entry_id", name=op.f("uq_hash_matches_record_id")),
    )
    with op.batch_alter_table("hash_matches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hash_matches_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hash_matches_list_id"), ["list_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hash_matches_record_id"), ["record_id"], unique=False)

    op.create_table(
        "image_hashes",
        sa.Column(
            "record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("md5", sa.String(length=32), nullable=True),
        sa.Column("pdq", sa.String(length=64), nullable=True),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_image_hashes_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_image_hashes_record_id_records")
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_image_hashes")),
    )
    with op.batch_alter_table("image_hashes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_image_hashes_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_image_hashes_case_sha256", ["case_id", "sha256"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("image_hashes", schema=None) as batch_op:
        batch_op.drop_index("ix_image_hashes_case_sha256")
        batch_op.drop_index(batch_op.f("ix_image_hashes_case_id"))

    op.drop_table("image_hashes")
    with op.batch_alter_table("hash_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hash_matches_record_id"))
        batch_op.drop_index(batch_op.f("ix_hash_matches_list_id"))
        batch_op.drop_index(batch_op.f("ix_hash_matches_case_id"))

    op.drop_table("hash_matches")
    with op.batch_alter_table("hash_list_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_hash_list_entries_value")

    op.drop_table("hash_list_entries")
    op.drop_table("hash_lists")
