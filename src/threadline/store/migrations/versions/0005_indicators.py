"""signals and scores

Revision ID: 0005_indicators
Revises: 0004_web
Create Date: 2026-11-23 02:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_indicators"
down_revision: str | None = "0004_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "signals",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("record_id", ID, nullable=False),
        sa.Column("indicator", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("catalogue_version", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_signals_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_signals_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signals")),
    )
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.create_index("ix_signals_case_indicator", ["case_id", "indicator"], unique=False)
        batch_op.create_index("ix_signals_record", ["record_id"], unique=False)

    op.create_table(
        "scores",
        sa.Column("record_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("for_review", sa.Boolean(), nullable=False),
        sa.Column("weight_sum", sa.Float(), nullable=False),
        sa.Column("contributions", sa.JSON(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("calibration", sa.JSON(), nullable=False),
        sa.Column("catalogue_version", sa.String(length=32), nullable=False),
        sa.Column("job_model", sa.JSON(), nullable=True),
        sa.Column("model_version", sa.String(length=64), nullable=True),
        sa.Column("training_data", sa.String(length=64), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_scores_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_scores_record_id_records")
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_scores")),
    )
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.create_index("ix_scores_case_value", ["case_id", "value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_index("ix_scores_case_value")
    op.drop_table("scores")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index("ix_signals_record")
        batch_op.drop_index("ix_signals_case_indicator")
    op.drop_table("signals")
