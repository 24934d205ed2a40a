"""Files written whole or not at all: ``atomic_write``, the one place that writes a temporary
file beside the target and renames it over the target; and ``read_text_file``, a UTF-8 text file
read whole, with errors that name the file."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from truthgraph.errors import DatasetError


def atomic_write(path: Path, content: str | bytes | Callable[[Path], object]) -> Path:
    """Write ``content`` to ``path`` whole or not at all, and return ``path``.

    ``content`` is text (written as UTF-8), bytes, or a function that writes the file at the
    path it is given (``torch.save``, a library that writes a model). It is written to a
    temporary file in ``path``'s folder, which must exist, then renamed over ``path``
    (``os.replace``): a reader sees the old file or the new one, never half of one, and a
    failure leaves the old file as it was and no temporary file behind. The file gets the
    permissions a new file gets (the umask's).
    """
    folder = path.parent if str(path.parent) else Path(".")
    temporary = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        if callable(content):
            content(temporary)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def read_text_file(path: Path) -> str:
    """The whole of the UTF-8 text file at ``path``; a missing or unreadable file, and one
    that is not UTF-8, raise ``DatasetError`` naming the file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DatasetError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from exc
