"""truthgraph keys add / list / revoke: the HTTP service's API keys and their collections."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from truthgraph.cli.exit_codes import exits_cleanly
from truthgraph.cli.state import state
from truthgraph.db.roles import KeyStore

keys_app = typer.Typer(
    help="API keys of the HTTP service: each reads and writes the collections it is given.",
    no_args_is_help=True,
)


def _keys(ctx: typer.Context) -> KeyStore:
    """The key store of the configured database (its schema brought up to date); closed with
    the command's other parts."""
    return state(ctx).keys()


@keys_app.command("add")
@exits_cleanly
def add_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name to list and revoke the key by.")],
    read: Annotated[
        list[str] | None,
        typer.Option("--read", "-r", help="A collection it may read ('*' for all); repeat."),
    ] = None,
    write: Annotated[
        list[str] | None,
        typer.Option(
            "--write", "-w", help="A collection it may write and read ('*' for all); repeat."
        ),
    ] = None,
    admin: Annotated[bool, typer.Option("--admin", help="Every collection.")] = False,
) -> None:
    """Make a key and print it once (only its hash is stored). Once any key exists, the
    service answers API requests only with a key."""
    keys = _keys(ctx)
    key, record = keys.add(name, read or [], write or [], admin)
    Console(stderr=True).print(
        f"key {record.name!r} made (admin: {record.admin}, read: {list(record.read)}, "
        f"write: {list(record.write)}); it is shown once, store it now:"
    )
    print(key)  # noqa: T201  (stdout: the key alone, for scripts)


@keys_app.command("list")
@exits_cleanly
def list_command(ctx: typer.Context) -> None:
    """Every key with its scopes (never the key itself)."""
    table = Table("name", "starts with", "admin", "read", "write", "created", "revoked")
    keys = _keys(ctx)
    for r in keys.list():
        table.add_row(
            r.name,
            r.prefix,
            "yes" if r.admin else "",
            ", ".join(r.read),
            ", ".join(r.write),
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            r.revoked_at.strftime("%Y-%m-%d %H:%M") if r.revoked_at else "",
        )
    Console().print(table)


@keys_app.command("revoke")
@exits_cleanly
def revoke_command(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The key's name.")]
) -> None:
    """Revoke a key: the service refuses it within two seconds."""
    keys = _keys(ctx)
    record = keys.revoke(name)
    Console().print(f"key {record.name!r} revoked")
