"""The isolation matrix: every key against every collection and operation, on a real server.

Keys are made with ``truthgraph keys add`` (as an operator would), documents, verdicts and
jobs with an admin key; then each key tries each operation on each collection. A cell is a
leak when a key reads, lists or changes what it was not given; it is wrong when a key is
refused what it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from truthgraph.reliability.processes import cli, wait_until

COLLECTIONS = ("alpha", "beta")
# name -> (truthgraph keys add options; None: no key sent; "revoke": made, then revoked)
KEYS: dict[str, tuple[str, ...] | None] = {
    "admin": ("--admin",),
    "alpha-writer": ("--write", "alpha"),
    "alpha-reader": ("--read", "alpha"),
    "beta-writer": ("--write", "beta"),
    "revoked": ("--write", "alpha"),
    "no key": None,
}


# operation -> whether it writes (else it reads)
OPERATIONS: dict[str, bool] = {
    "verify": False,
    "search": False,
    "batch verify": False,
    "read document": False,
    "read claim": False,
    "read job": False,
    "cancel job": False,
    "add document": True,
    "delete document": True,
}


def _attempt(
    client: httpx.Client,
    operation: str,
    collection: str,
    ids: dict[str, object],
    document_id: int | None,
) -> httpx.Response:
    """Send one operation of the matrix."""
    body: dict[str, object]
    if operation == "verify":
        body = {"claim": "It holds maps.", "collection": collection}
        return client.post("/api/v1/verify", json=body)
    if operation == "search":
        return client.post("/api/v1/search", json={"query": "maps", "collection": collection})
    if operation == "batch verify":
        body = {"claims": ["maps"], "collection": collection}
        return client.post("/api/v1/verify/batch", json=body)
    if operation == "read document":
        return client.get(f"/api/v1/documents/{ids['document']}")
    if operation == "read claim":
        return client.get(f"/api/v1/claims/{ids['claim']}")
    if operation == "read job":
        return client.get(f"/api/v1/jobs/{ids['job']}")
    if operation == "cancel job":
        return client.post(f"/api/v1/jobs/{ids['job']}/cancel")
    if operation == "add document":
        body = {"collection": collection, "text": "Maps are kept dry."}
        return client.post("/api/v1/documents", json=body)
    if operation == "delete document":
        return client.delete(f"/api/v1/documents/{document_id}")
    raise ValueError(f"unknown operation {operation!r}")


@dataclass(frozen=True, slots=True)
class Cell:
    key: str
    collection: str
    operation: str
    expected: bool  # the key may do this
    granted: bool  # the server let it
    status: int

    @property
    def leak(self) -> bool:
        return self.granted and not self.expected

    @property
    def wrongly_refused(self) -> bool:
        return self.expected and not self.granted


def _may(options: tuple[str, ...] | None, collection: str, write: bool, revoked: bool) -> bool:
    if options is None or revoked:
        return False
    if "--admin" in options:
        return True
    pairs = dict(zip(options[::2], options[1::2], strict=True))
    if pairs.get("--write") == collection:
        return True
    return not write and pairs.get("--read") == collection


def make_keys(home: Path) -> dict[str, str]:
    """Make the matrix's keys with the CLI; revoke the one named ``revoked``."""
    made: dict[str, str] = {}
    for name, options in KEYS.items():
        if options is None:
            continue
        done = cli(home, "keys", "add", name, *options)
        if done.returncode != 0:
            raise RuntimeError(f"truthgraph keys add {name} failed: {done.stderr.strip()}")
        made[name] = done.stdout.strip().splitlines()[-1]
    cli(home, "keys", "revoke", "revoked")
    return made


def isolation_matrix(base_url: str, home: Path) -> list[Cell]:
    """Make keys on ``home``, seed both collections through the server, try every cell."""
    keys = make_keys(home)
    admin = httpx.Client(base_url=base_url, timeout=60, headers={"X-API-Key": keys["admin"]})
    # stored keys are re-read every 2 s
    wait_until(lambda: admin.get("/api/v1/collections").status_code == 200, 10)
    seeded: dict[str, dict[str, object]] = {}
    for name in COLLECTIONS:
        text = f"The {name} archive was founded in 1921 in Lisbon. It holds maps of {name}."
        document = admin.post("/api/v1/documents", json={"collection": name, "text": text})
        verdict = admin.post(
            "/api/v1/verify",
            json={"claim": f"The {name} archive is in Lisbon.", "collection": name},
        )
        job = admin.post(
            "/api/v1/verify/batch", json={"claims": ["It holds maps."], "collection": name}
        )
        seeded[name] = {
            "document": document.json()["document"]["id"],
            "claim": verdict.json()["claim_id"],
            "job": job.json()["id"],
        }

    def throwaway(name: str) -> int:
        response = admin.post(
            "/api/v1/documents",
            json={"collection": name, "text": f"A note to delete, number {len(cells)}."},
        )
        return int(response.json()["document"]["id"])

    cells: list[Cell] = []
    for key_name, options in KEYS.items():
        headers = {} if options is None else {"X-API-Key": keys[key_name]}
        client = httpx.Client(base_url=base_url, timeout=60, headers=headers)
        for name in COLLECTIONS:
            ids = seeded[name]
            revoked = key_name == "revoked"
            for operation, write in OPERATIONS.items():
                target = throwaway(name) if operation == "delete document" else None
                response = _attempt(client, operation, name, ids, target)
                cells.append(
                    Cell(
                        key_name,
                        name,
                        operation,
                        _may(options, name, write, revoked),
                        response.status_code < 300,
                        response.status_code,
                    )
                )
            # listings: the collection (or its history) shows up only for keys that may read it
            listed = client.get("/api/v1/collections")
            names = (
                [c["name"] for c in listed.json().get("collections", [])]
                if listed.is_success
                else []
            )
            history = client.get("/api/v1/claims", params={"limit": 100})
            seen = (
                [c["collection"] for c in history.json().get("items", [])]
                if history.is_success
                else []
            )
            may_read = _may(options, name, False, revoked)
            cells.append(
                Cell(
                    key_name, name, "list collections", may_read, name in names, listed.status_code
                )
            )
            cells.append(
                Cell(key_name, name, "list history", may_read, name in seen, history.status_code)
            )
        client.close()
    admin.close()
    return cells
