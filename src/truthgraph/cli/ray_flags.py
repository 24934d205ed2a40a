"""The ``--ray`` options that ``ingest``, ``verify`` and ``eval`` share.

``--ray`` takes an optional ADDRESS: ``--ray`` alone (or ``--ray local``) starts a local Ray on
this machine's cores, ``--ray auto`` or ``--ray ray://host:port`` joins a cluster. Typer's
parser has no optional option values, so ``with_ray_default`` (called on the command line
before parsing) writes ``--ray local`` for a ``--ray`` not followed by an address.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import typer

from truthgraph.distributed.ray_setup import RayOptions

RAY_FLAG = "--ray"
LOCAL = "local"
_ADDRESS = re.compile(r"^(auto|local|ray://[\w.\-]+:\d+|[\w.\-]+:\d+)$")

RAY = typer.Option(
    RAY_FLAG,
    metavar="[ADDRESS]",
    help="Run on Ray (the extra truthgraph\\[ray]): alone, a local Ray on this machine's cores; "
    "auto or ray://host:port joins a cluster (needs TRUTHGRAPH_DATABASE_URL).",
    show_default=False,
)
RAY_WORKERS = typer.Option(
    "--ray-workers", min=1, help="With --ray: actors per model stage, and database writers."
)
RAY_CPUS = typer.Option(
    "--ray-cpus",
    min=0.01,
    help="With --ray: CPUs per model actor (default: an even share of the cluster, at most 1).",
)
RAY_GPUS = typer.Option("--ray-gpus", min=0.0, help="With --ray: GPUs per model actor.")


def with_ray_default(args: Sequence[str]) -> list[str]:
    """``args`` with ``local`` after each ``--ray`` that no address follows."""
    out: list[str] = []
    for i, arg in enumerate(args):
        out.append(arg)
        if arg == RAY_FLAG and (i + 1 == len(args) or not _ADDRESS.match(args[i + 1])):
            out.append(LOCAL)
    return out


def ray_options(
    address: str | None, workers: int, cpus: float | None, gpus: float
) -> RayOptions | None:
    """The run's RayOptions, or None when ``--ray`` was not given."""
    if address is None:
        return None
    return RayOptions(
        address=None if address == LOCAL else address,
        workers=workers,
        cpus_per_actor=cpus,
        gpus_per_actor=gpus,
    )
