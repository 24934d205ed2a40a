"""Check the ONNX backends against torch and record which one `auto` may use.

Embedding: cosine of ONNX fp32 / int8 against torch on the demo sentences. Verifier: accuracy
of torch, ONNX fp32 and int8 on the held-out development pairs (with --data-dir) or the demo
pairs. Prints the figures as JSON, writes quality.json into each export folder under
TRUTHGRAPH_HOME/onnx, and with --write-table refreshes src/truthgraph/models/onnx-quality.json.

    python scripts/check_onnx_quality.py --data-dir ../shared/data [--write-table]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from truthgraph.ml.onnx.quality import check_quality, record_quality, write_quality_table
from truthgraph.settings import Settings
from truthgraph.wiring import quiet_libraries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--write-table", action="store_true")
    args = parser.parse_args()
    quiet_libraries()
    settings = Settings()
    report = check_quality(settings, args.data_dir)
    for quality in report:
        record_quality(quality, settings.home / "onnx")
    if args.write_table:
        print(f"wrote {write_quality_table(report)}")
    print(json.dumps([q.to_json() for q in report], indent=2))


if __name__ == "__main__":
    main()
