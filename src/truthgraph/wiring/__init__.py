"""The composition root: the only place, with ``db/``, that names the concrete database classes,
and the only one that chooses the models (``ml.loading`` builds them).

``Parts`` builds, once per process, every part the entry points run on (stores, models, the
judge with its second opinion, the verifier, the extractor); ``build_verifier`` builds every
Verifier, for the CLI and the HTTP service alike; the service passes ``VerifierHooks`` to put
its micro-batchers in front of the models.

    models.py  the verifier's calibration and the second opinion (its judge's recipe); the
               models themselves are built by ``ml.loading``, re-exported here
    parts.py   the stores, the verifier, the extractor, and ``Parts``
"""

from truthgraph.ml.loading import (
    build_embedder,
    build_nli,
    export_folder,
    load_models,
    model_backend,
    onnx_cache_dir,
    optimized_dir,
    quiet_libraries,
    runtime_device,
    warm_models,
)
from truthgraph.ports import nli_cache_key
from truthgraph.wiring.models import nli_calibration, second_opinion
from truthgraph.wiring.parts import (
    EXTRACTORS,
    Parts,
    ServiceParts,
    VerifierHooks,
    build_extractor,
    build_grounding_verifier,
    build_judge,
    build_store,
    build_verifier,
    grounding_options,
    store_at,
    verify_options,
)

__all__ = [
    "EXTRACTORS",
    "Parts",
    "ServiceParts",
    "VerifierHooks",
    "build_embedder",
    "build_extractor",
    "build_grounding_verifier",
    "build_judge",
    "build_nli",
    "build_store",
    "build_verifier",
    "export_folder",
    "grounding_options",
    "load_models",
    "model_backend",
    "nli_cache_key",
    "nli_calibration",
    "onnx_cache_dir",
    "optimized_dir",
    "quiet_libraries",
    "runtime_device",
    "second_opinion",
    "store_at",
    "verify_options",
    "warm_models",
]
