"""Alembic environment: runs against the engine threadline passes in."""

from __future__ import annotations

from alembic import context

from threadline.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic` invoked by hand: take the URL from the ini/CLI
    from threadline.store.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
