"""Ship the default models' int8 ONNX exports inside the package (maintainers, after retraining).

Exports both configured default models where missing (needs the `train` extra), then copies
each export's int8 graph, tokenizer and manifest into src/truthgraph/models/onnx/, replacing
the model's older shipped export. Run the quality check first (scripts/check_onnx_quality.py
--write-table) so the shipped table holds the new export's record.

    python scripts/ship_onnx.py
"""

from __future__ import annotations

from truthgraph.ml.onnx.export import export_embedder, export_nli
from truthgraph.ml.onnx.shipped import ship
from truthgraph.ml.registry import resolve_model
from truthgraph.settings import Settings
from truthgraph.wiring import onnx_cache_dir, quiet_libraries


def main() -> None:
    quiet_libraries()
    settings = Settings()
    cache = onnx_cache_dir(settings)
    embedder = resolve_model(settings.model.embedding_model, settings.models_dir)
    nli = resolve_model(settings.model.nli_model, settings.models_dir)
    for folder in (export_embedder(embedder, cache), export_nli(nli, cache)):
        print(f"shipped {ship(folder)}")


if __name__ == "__main__":
    main()
