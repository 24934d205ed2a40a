import subprocess
import sys

import truthgraph


def test_public_api_is_pinned() -> None:
    assert sorted(truthgraph.__all__) == [
        "ConfigError",
        "DatasetError",
        "DocumentError",
        "EvidenceHit",
        "EvidenceStoreError",
        "InvalidInputError",
        "Label",
        "ModelLoadError",
        "NLIScores",
        "NotFoundError",
        "RawDocument",
        "ScoredEvidence",
        "Settings",
        "Strategy",
        "TruthGraphError",
        "UnavailableError",
        "Verdict",
        "Verifier",
        "VerifyOptions",
        "__version__",
        "check_text",
    ]


def test_importing_the_package_loads_neither_torch_nor_a_database_driver() -> None:
    code = "import sys, truthgraph; print('torch' in sys.modules, 'psycopg' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_error_exit_codes_are_distinct() -> None:
    codes = {
        cls.exit_code
        for cls in (
            truthgraph.TruthGraphError,
            truthgraph.ConfigError,
            truthgraph.InvalidInputError,
            truthgraph.NotFoundError,
            truthgraph.UnavailableError,
        )
    }
    assert codes == {1, 3, 4, 5, 6}
