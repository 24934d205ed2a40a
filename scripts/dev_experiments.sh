#!/usr/bin/env bash
# The development-split experiments quoted in the README's Accuracy section: the shipped
# verifier and calibration on FEVER and SciFact dev, in the default configuration and with
# each option that was tried (evidence context, hybrid retrieval).
# Usage: scripts/dev_experiments.sh [DATA_DIR] [OUT_DIR]
set -euo pipefail
# the fast verifier's own figures: no second opinion, even where the accurate one is installed
export TRUTHGRAPH_VERIFICATION__SECOND_OPINION=${TRUTHGRAPH_VERIFICATION__SECOND_OPINION:-off}
data=${1:-../shared/data}
out=${2:-runs/dev-experiments}
configurations=(
  "default"
  "title TRUTHGRAPH_VERIFICATION__EVIDENCE_CONTEXT=title"
  "previous TRUTHGRAPH_VERIFICATION__EVIDENCE_CONTEXT=previous"
  "sentence+title TRUTHGRAPH_VERIFICATION__EVIDENCE_CONTEXT=sentence+title"
  "hybrid TRUTHGRAPH_RETRIEVAL__HYBRID=true"
)
for dataset in fever scifact; do
  for configuration in "${configurations[@]}"; do
    read -r name setting <<<"$configuration"
    env ${setting:+"$setting"} truthgraph eval --dataset "$dataset" --data-dir "$data" \
      --split dev --out "$out/$dataset-$name" | tail -1 | sed "s/^/$dataset $name /"
  done
done
