"""Apply the versioned schema migrations (alembic) to a database.

alembic and SQLAlchemy (about half a second of imports) load inside the functions, when a
schema is checked or upgraded, not when the package is imported."""

from __future__ import annotations

from pathlib import Path

from truthgraph.errors import EvidenceStoreError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def sqlalchemy_url(url: str) -> str:
    """The SQLAlchemy form of a ``postgresql://`` URL (psycopg 3 driver)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at ``url`` to ``revision``; running it again changes nothing."""
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = sa.create_engine(sqlalchemy_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(720413)"))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except sa.exc.OperationalError as exc:
        raise EvidenceStoreError(f"database unreachable: {exc.orig}") from exc
    except sa.exc.SQLAlchemyError as exc:
        raise EvidenceStoreError(f"schema migration failed: {exc}") from exc
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest revision the migrations define."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise EvidenceStoreError("no schema migrations found")
    return head


def current_revision(url: str) -> str | None:
    """The schema revision of the database at ``url`` (None before the first migration)."""
    import sqlalchemy as sa

    engine = sa.create_engine(sqlalchemy_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            exists = connection.execute(sa.text("SELECT to_regclass('alembic_version')")).scalar()
            if exists is None:
                return None
            value = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            return str(value) if value is not None else None
    except sa.exc.OperationalError as exc:
        raise EvidenceStoreError(f"database unreachable: {exc.orig}") from exc
    finally:
        engine.dispose()
