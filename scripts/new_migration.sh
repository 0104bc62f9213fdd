#!/usr/bin/env bash
# Autogenerate an Alembic revision against a scratch SQLite database upgraded to head.
# Usage: scripts/new_migration.sh <revision-id> "<message>"
set -euo pipefail
cd "$(dirname "$0")/.."
rev="$1"; msg="$2"
tmp=$(mktemp -d)
export ACADEMY_DATABASE_URL="sqlite:///$tmp/migrate.sqlite3" ACADEMY_SECRET_KEY="migration-scratch-key-0123456789abcdef"
.venv/bin/academy db upgrade -d academy/migrations >/dev/null
.venv/bin/academy db migrate -d academy/migrations -m "$msg" --rev-id "$rev"
rm -rf "$tmp"
