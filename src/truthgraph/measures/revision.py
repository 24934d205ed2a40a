"""``git_sha()``: the commit of the checkout TruthGraph runs from, for every recorded result.

One definition, used by the benchmark reports (``bench.machine``), the training summary
(``ml.nli.recipe``) and the calibration record (``scripts/calibrate_verifier.py``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def git_sha(short: bool = True) -> str | None:
    """The HEAD commit of the repository holding this package (short form unless asked), or
    None outside a git checkout or without git."""
    command = ["git", "rev-parse", *(["--short"] if short else []), "HEAD"]
    try:
        out = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None
