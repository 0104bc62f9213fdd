#!/usr/bin/env bash
# Extract interface strings, update the kk/ru/en catalogs and compile them (the .mo files are committed so a fresh
# clone shows Kazakh without a compile step). Usage: scripts/i18n.sh [extract|compile]
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
step="${1:-all}"
if [ "$step" = all ] || [ "$step" = extract ]; then
  "$PYBABEL" extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --omit-header -w 120 \
    -o translations/messages.pot academy
  for loc in kk ru en; do
    if [ -f "translations/$loc/LC_MESSAGES/messages.po" ]; then
      "$PYBABEL" update -i translations/messages.pot -d translations -l "$loc" --no-fuzzy-matching --ignore-obsolete -w 120
    else
      "$PYBABEL" init -i translations/messages.pot -d translations -l "$loc"
    fi
  done
  "${PYTHON:-.venv/bin/python}" scripts/fill_en.py
fi
if [ "$step" = all ] || [ "$step" = compile ]; then
  "$PYBABEL" compile -d translations --statistics
fi
