#!/usr/bin/env bash
# How large each install is: a fresh virtualenv, then the core and each extra added in turn.
# Prints a Markdown table (MB on disk, from du). Usage: bash scripts/install_sizes.sh [PYTHON]
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3.11}
venv=$(mktemp -d)/venv
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade "pip>=25.1" 2>/dev/null
size() { du -sm "$venv" | cut -f1; }
before=$(size)
echo "| install | adds, MB | total venv, MB |"
echo "|---|---|---|"
echo "| empty virtualenv ($("$venv/bin/python" -V)) | | $before |"
for spec in "." ".[api]" ".[api,plots]" ".[api,plots,train]"; do
    "$venv/bin/python" -m pip install --quiet "$spec" 2>/dev/null
    now=$(size)
    echo "| \`pip install '$spec'\` | $((now - before)) | $now |"
    before=$now
done
torch=$("$venv/bin/python" -c "import torch; print(torch.__version__)")
echo
echo "torch in the last step: $torch"
rm -rf "$(dirname "$venv")"
