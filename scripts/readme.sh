#!/usr/bin/env bash
# Regenerate each addon's README.rst and static/description/index.html from its readme/.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$here"
"$PY" scripts/gen_readme.py "$@"
