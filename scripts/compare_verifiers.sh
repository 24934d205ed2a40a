#!/usr/bin/env bash
# Compare trained verifiers and evidence contexts on the development split: for each
# (verifier folder, evidence context), fit the calibration on the dev claims of FEVER,
# SciFact and FEVER-Symmetric (calibration off, ONNX fp32 so every model runs the same
# backend) and print the accuracy and ECE before and after it. Writes nothing into the
# verifiers (--dry-run); the eval reports go under OUT_DIR.
# Usage: scripts/compare_verifiers.sh DATA_DIR OUT_DIR NAME=FOLDER... [-- CONTEXT...]
set -euo pipefail
data=$1
out=$2
shift 2
models=()
while [[ $# -gt 0 && $1 != "--" ]]; do
  models+=("$1")
  shift
done
[[ ${1:-} == "--" ]] && shift
contexts=("$@")
[[ ${#contexts[@]} -gt 0 ]] || contexts=(sentence title sentence+title)
for model in "${models[@]}"; do
  name=${model%%=*}
  folder=${model#*=}
  for context in "${contexts[@]}"; do
    echo "=== $name ($folder), evidence context $context"
    TRUTHGRAPH_MODEL__BACKEND=onnx TRUTHGRAPH_VERIFICATION__EVIDENCE_CONTEXT=$context \
      python scripts/calibrate_verifier.py --data-dir "$data" --nli-model "$folder" \
      --out-dir "$out/$name-$context" --dry-run | tail -6
  done
done
