"""One local Ray (2 CPUs) for every test here, and an "external" PostgreSQL: a second embedded
server that the tests reach only through TRUTHGRAPH_DATABASE_URL, as a cluster reaches a
managed one."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from truthgraph.db.embedded import start_embedded
from truthgraph.db.migrate import upgrade
from truthgraph.distributed.ray_setup import LOCAL_OBJECT_STORE_BYTES, quiet_ray


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Any]:
    """A local Ray with 2 CPUs, started once (it takes seconds); the code under test finds it
    running and joins it instead of starting its own."""
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    quiet_ray()
    ray.init(
        num_cpus=2,
        object_store_memory=LOCAL_OBJECT_STORE_BYTES,
        include_dashboard=False,
        logging_level=logging.ERROR,
        log_to_driver=False,
    )
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def external_database_url() -> str:
    """A second PostgreSQL server, apart from the session's embedded one. Its folder is not
    under pytest's temporary root: pytest resets that root to mode 0700 whenever another
    session starts on the machine, which locks the server's own user out of it."""
    folder = Path(tempfile.mkdtemp(prefix="truthgraph-external-"))
    folder.chmod(0o755)
    url = start_embedded(folder / "pgdata")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def external_env(home: Path, external_database_url: str) -> dict[str, str]:
    """The environment of a CLI run against the external database."""
    return {"TRUTHGRAPH_HOME": str(home), "TRUTHGRAPH_DATABASE_URL": external_database_url}
