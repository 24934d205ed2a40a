#!/usr/bin/env bash
# Two-stage training of the fast verifier (round two, docs/decisions/0020): a first stage on
# 6,000 SNLI pairs, then the shipped v5 recipe (title rate 0.5, distilled from the accurate
# verifier with weight 0.7) with Fool Me Twice's pairs, 3,000 more SNLI pairs, and the
# near-miss NOT_ENOUGH_INFO pairs that the accurate verifier reads as settling the claim left
# out. Each stage checkpoints every 100 steps; run the script again to go on where it stopped
# (it adds --resume where a checkpoint is waiting).
# Usage: scripts/train_round_two.sh [DATA_DIR] [OUT_PREFIX]   (defaults ../shared/data runs/r2)
set -euo pipefail
data=${1:-../shared/data}
prefix=${2:-runs/r2}
tg=${TRUTHGRAPH:-truthgraph}
resume() { [[ -f $1/checkpoint/state.pt ]] && echo --resume || true; }
stage1=$prefix-stage1
stage2=$prefix-stage2
echo "stage 1 from $(date -u +%T)"
if [[ ! -f $stage1/model.safetensors ]]; then
  $tg train-verifier --data-dir "$data" --out "$stage1" --snli-only --snli-pairs 6000 \
    --epochs 1 --checkpoint-every 100 $(resume "$stage1")
fi
echo "stage 2 from $(date -u +%T)"
$tg train-verifier --data-dir "$data" --out "$stage2" --base-model "$stage1" --fm2 \
  --snli-pairs 3000 --title-rate 0.5 --nei-filter-model truthgraph-verifier-mpnet \
  --teacher-model truthgraph-verifier-mpnet --distill-weight 0.7 --checkpoint-every 100 \
  $(resume "$stage2")
echo "done $(date -u +%T)"
