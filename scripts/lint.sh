#!/usr/bin/env bash
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$here"
echo "[lint] ruff"
"$VENV/bin/ruff" check .
echo "[lint] pylint-odoo (OCA's 17.0 checks: the mandatory ones and the optional ones)"
"$VENV/bin/pylint" --rcfile=.pylintrc omni_* tests/addons/*
echo "[lint] README.rst and index.html up to date with readme/ (make readme)"
"$PY" scripts/gen_readme.py --check
echo "[lint] ok"
