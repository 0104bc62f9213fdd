#!/usr/bin/env bash
# Install Kelisim Academy into .venv and start it with demo content on SQLite at http://127.0.0.1:5000
# (PORT=8080 ./scripts/start.sh serves on another port; links in mail follow the port served).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/academy demo
exec .venv/bin/academy run --host 127.0.0.1 --port "${PORT:-5000}"
