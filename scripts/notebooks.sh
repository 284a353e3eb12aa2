#!/usr/bin/env bash
# Executes the notebooks headlessly against the release binary (part of `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c "import nbclient, nbformat, ipykernel" 2>/dev/null; then
  echo "installing the notebook runner (nbclient, nbformat, ipykernel) with pip" >&2
  "$PY" -m pip install -q nbclient nbformat ipykernel 2>/dev/null \
    || "$PY" -m pip install -q --break-system-packages nbclient nbformat ipykernel \
    || { echo "error: cannot install nbclient/ipykernel; install them with pip to run the notebooks" >&2; exit 1; }
fi
RINGCAST_BIN="${CARGO_TARGET_DIR:-target}/release/ringcast" "$PY" notebooks/run.py
