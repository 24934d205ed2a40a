"""Joining or starting Ray: the options of a distributed run and the checks made before it.

``ray`` is imported only here (``import_ray``) and in the functions of the pipelines, so the
rest of TruthGraph runs without the extra installed.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType

from truthgraph.errors import ConfigError, InvalidInputError
from truthgraph.settings import Settings

EXTRA_HINT = "pip install 'truthgraph[ray]'"
# A local start on a small machine: a small object store (the default takes 30 % of memory)
LOCAL_OBJECT_STORE_BYTES = 500 * 1024 * 1024
_ADDRESS = re.compile(r"^(auto|local|ray://[\w.\-]+:\d+|[\w.\-]+:\d+)$")


def import_ray() -> ModuleType:
    """The ``ray`` module; a ConfigError naming the extra when it is not installed."""
    try:
        import ray
        import ray.data  # noqa: F401  (the pipelines need Ray Data too)
    except ImportError as exc:
        raise ConfigError(f"--ray needs Ray, an optional extra: {EXTRA_HINT}") from exc
    return ray


@dataclass(frozen=True, slots=True)
class RayOptions:
    """How a run uses Ray.

    ``address`` None starts a local Ray on this machine's cores; ``auto`` or
    ``ray://host:port`` (or ``host:port``) joins a cluster. ``workers`` actors run each model
    stage (embedding, NLI) and the database writers; each model actor takes
    ``cpus_per_actor`` CPUs (None: an even share of the cluster's CPUs, at most 1, so every
    stage's actors fit at once) and ``gpus_per_actor`` GPUs. ``batch_size`` documents or
    claims travel together between stages.
    """

    address: str | None = None
    workers: int = 1
    cpus_per_actor: float | None = None
    gpus_per_actor: float = 0.0
    batch_size: int = 16

    def __post_init__(self) -> None:
        if self.address is not None and not _ADDRESS.match(self.address):
            raise InvalidInputError(
                f"--ray takes a cluster address (auto, ray://host:port), not {self.address!r}; "
                "put sources and files before --ray, or give --ray last"
            )
        if self.workers < 1:
            raise InvalidInputError("--ray-workers must be at least 1")
        if self.cpus_per_actor is not None and self.cpus_per_actor <= 0:
            raise InvalidInputError("--ray-cpus must be above 0")
        if self.gpus_per_actor < 0:
            raise InvalidInputError("--ray-gpus must not be negative")
        if self.batch_size < 1:
            raise InvalidInputError("the Ray batch size must be at least 1")

    @property
    def joins_cluster(self) -> bool:
        """Whether the run joins a cluster (an address other than ``local``)."""
        return self.address not in (None, "local")

    def actor_cpus(self, ray: ModuleType, model_stages: int) -> float:
        """CPUs for each model actor: the given figure, or a share that lets
        ``model_stages`` pools of ``workers`` actors all run on the cluster at once."""
        if self.cpus_per_actor is not None:
            return self.cpus_per_actor
        cluster_cpus = float(ray.cluster_resources().get("CPU", 1.0))
        share = cluster_cpus / (model_stages * self.workers)
        return max(0.01, min(1.0, round(share, 2)))


def check_database(settings: Settings, options: RayOptions) -> None:
    """A cluster run needs a PostgreSQL every node reaches: ``TRUTHGRAPH_DATABASE_URL``.
    The embedded server lives on this machine only, so a cluster run pointed at it stops."""
    if options.joins_cluster and settings.database_url is None:
        raise ConfigError(
            "a cluster run (--ray ADDRESS) needs TRUTHGRAPH_DATABASE_URL set to a PostgreSQL "
            "with pgvector that every node reaches; the embedded server runs on this machine "
            "only (give --ray without an address for a local run)"
        )


def quiet_ray() -> None:
    """Keep Ray's start-up notes and its core's log lines off the terminal (the CLI draws its
    own progress); errors still surface as exceptions. Set before ``ray.init``."""
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)


@contextmanager
def ray_runtime(options: RayOptions) -> Iterator[ModuleType]:
    """Ray, ready for a run: joined (an address), started locally (none), or the one this
    process already runs (a test's shared runtime). A runtime started here stops after the
    run; Ray Data's own progress bars are off (the CLI draws its own)."""
    ray = import_ray()
    started = False
    if not ray.is_initialized():
        quiet_ray()
        if options.joins_cluster:
            ray.init(address=options.address, logging_level=logging.ERROR, log_to_driver=False)
        else:
            ray.init(
                num_cpus=os.cpu_count() or 1,
                object_store_memory=LOCAL_OBJECT_STORE_BYTES,
                include_dashboard=False,
                logging_level=logging.ERROR,
                log_to_driver=False,
            )
        started = True
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    try:
        with warnings.catch_warnings():
            # Ray Data's advice when a run has fewer blocks than actors (a small input, or
            # one left after a retry): nothing a user can act on, and no error
            warnings.filterwarnings(
                "ignore", message="The minimum number of concurrent actors", category=UserWarning
            )
            yield ray
    finally:
        if started:
            ray.shutdown()
