#!/usr/bin/env bash
# Install the test dependencies into .venv and run the whole suite (unit, PostgreSQL-ready, Chromium journeys).
# Chromium comes from Debian (Playwright cannot download browsers here); run as root it is installed if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null
fi
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" "$@"
