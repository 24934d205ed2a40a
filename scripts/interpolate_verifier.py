"""Average two fine-tunes of one verifier, weight by weight (WiSE-FT, Wortsman et al. 2022).

    python scripts/interpolate_verifier.py BASE TUNED --alpha 0.5 --out runs/wise-0.5

Writes a verifier folder whose every weight is ``(1 - alpha) * BASE + alpha * TUNED``, stored
in float32, with TUNED's config and tokenizer (both must share the architecture). BASE and
TUNED are folders or registered names (``truthgraph-verifier-minilm``). A continued fine-tune
that gains on new data and forgets some of the old often keeps most of the gain and little
of the loss half-way between the two; measure the result with scripts/calibrate_verifier.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from truthgraph.ml.registry import resolve_model
from truthgraph.settings import Settings

CARRIED = ("config.json", "tokenizer.json", "tokenizer_config.json")


def _folder(name: str) -> Path:
    model = resolve_model(name, Settings().models_dir)
    if model.path is None:
        sys.exit(f"{name}: not a local verifier folder")
    return model.path


def interpolate(base: Path, tuned: Path, alpha: float, out: Path) -> Path:
    """Write ``(1 - alpha) * base + alpha * tuned`` into ``out``; returns the weights file."""
    a = load_file(str(base / "model.safetensors"))
    b = load_file(str(tuned / "model.safetensors"))
    if a.keys() != b.keys() or any(a[k].shape != b[k].shape for k in a):
        sys.exit(f"{base} and {tuned} do not share one architecture")
    mixed = {
        k: ((1 - alpha) * a[k].to(torch.float32) + alpha * b[k].to(torch.float32)).contiguous()
        for k in a
    }
    out.mkdir(parents=True, exist_ok=True)
    for name in CARRIED:
        shutil.copy2(tuned / name, out / name)
    config = json.loads((out / "config.json").read_text())
    config["torch_dtype"] = config["dtype"] = "float32"
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    record = {"base": str(base), "tuned": str(tuned), "alpha": alpha, "method": "WiSE-FT"}
    (out / "interpolation.json").write_text(json.dumps(record, indent=2) + "\n")
    path = out / "model.safetensors"
    save_file(mixed, str(path), metadata={"format": "pt"})
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base")
    parser.add_argument("tuned")
    parser.add_argument("--alpha", type=float, default=0.5, help="weight of TUNED, 0..1")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if not 0.0 <= args.alpha <= 1.0:
        sys.exit("--alpha must lie in 0..1")
    path = interpolate(_folder(args.base), _folder(args.tuned), args.alpha, args.out)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
