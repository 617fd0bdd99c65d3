#!/usr/bin/env bash
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$here"
echo "[lint] ruff"
"$VENV/bin/ruff" check .
echo "[lint] pylint-odoo (mandatory checks)"
"$VENV/bin/pylint" --rcfile=.pylintrc-mandatory omni_* tests/addons/*
echo "[lint] README.rst and index.html up to date with readme/ (make readme)"
"$PY" scripts/gen_readme.py --check
echo "[lint] ok"
