"""Ship int8 ONNX exports inside the package (maintainers, after retraining).

Exports each model where missing (needs the `train` extra), then copies its int8 graph,
tokenizer and manifest into src/truthgraph/models/onnx/, replacing the model's older shipped
export. By default the two configured default models; `--model NAME` (repeatable) ships
others, such as the accurate verifier that the second opinion runs. Run the quality check first
(scripts/check_onnx_quality.py --write-table) so the shipped table holds the new export's
record.

    python scripts/ship_onnx.py [--model truthgraph-verifier-mpnet]
"""

from __future__ import annotations

import argparse

from truthgraph.ml.onnx.export import export_embedder, export_nli
from truthgraph.ml.onnx.shipped import ship
from truthgraph.ml.registry import resolve_model
from truthgraph.settings import Settings
from truthgraph.wiring import onnx_cache_dir, quiet_libraries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", action="append", default=[], help="a verifier to ship")
    args = parser.parse_args()
    quiet_libraries()
    settings = Settings()
    cache = onnx_cache_dir(settings)
    if args.model:
        folders = [
            export_nli(resolve_model(name, settings.models_dir), cache) for name in args.model
        ]
    else:
        embedder = resolve_model(settings.model.embedding_model, settings.models_dir)
        nli = resolve_model(settings.model.nli_model, settings.models_dir)
        folders = [export_embedder(embedder, cache), export_nli(nli, cache)]
    for folder in folders:
        print(f"shipped {ship(folder)}")


if __name__ == "__main__":
    main()
