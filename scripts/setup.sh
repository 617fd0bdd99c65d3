#!/usr/bin/env bash
# Idempotent setup of a development / CI environment for the Omni suite.
#   - a virtualenv in .venv (Python 3.10-3.12)
#   - Odoo 17.0 from $ODOO_SRC (default /opt/odoo17), shallow-cloned when missing and reachable
#   - Odoo's own requirements, Odoo itself (editable, compat mode), our requirements.txt
#   - the channel sandboxes of tests/ as the package omni_sandboxes (editable)
#   - Chromium for the UI tours, a PostgreSQL role for Odoo
set -euo pipefail

source "$(dirname "$0")/common.sh"
cd "$here"
stamp_dir="$VENV/.omni-setup"

log() { printf '[setup] %s\n' "$*"; }

# --- Odoo source ---------------------------------------------------------------------------
if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
  log "Odoo 17.0 not found at $ODOO_SRC; trying a shallow clone"
  if ! git clone --quiet --depth 1 --branch 17.0 https://github.com/odoo/odoo.git "$ODOO_SRC" 2>/dev/null; then
    echo "error: no Odoo 17.0 source at $ODOO_SRC and it cannot be cloned here; put an Odoo 17.0 checkout there or set ODOO_SRC=/path/to/odoo17" >&2
    exit 1
  fi
fi
grep -q "version_info = (17, 0" "$ODOO_SRC/odoo/release.py" || {
  echo "error: $ODOO_SRC is not Odoo 17.0 (see odoo/release.py); set ODOO_SRC to an Odoo 17.0 checkout" >&2
  exit 1
}

# --- Python and the virtualenv ---------------------------------------------------------------
pick_python() {
  for candidate in ${PYTHON:-} python3.11 python3.12 python3.10 python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}
if [ ! -x "$VENV/bin/python" ]; then
  py=$(pick_python) || { echo "error: Python 3.10, 3.11 or 3.12 is required" >&2; exit 1; }
  log "creating virtualenv $VENV with $py"
  "$py" -m venv "$VENV"
fi
mkdir -p "$stamp_dir"
pip() { "$VENV/bin/python" -m pip --disable-pip-version-check -q "$@"; }

# Re-run a step only when its inputs changed.
changed() {  # changed NAME FILE...
  local sum; sum=$(cat "${@:2}" 2>/dev/null | sha256sum | cut -d' ' -f1)
  [ "$(cat "$stamp_dir/$1" 2>/dev/null)" != "$sum" ] && { echo "$sum" > "$stamp_dir/$1.new"; return 0; }
  return 1
}
done_step() { mv "$stamp_dir/$1.new" "$stamp_dir/$1"; }

if changed odoo-requirements "$ODOO_SRC/requirements.txt"; then
  log "installing Odoo's requirements"
  pip install -U "pip>=23" "setuptools<71" wheel
  # python-ldap only serves the optional auth_ldap addon; it needs libldap headers to build.
  grep -v -i '^python-ldap' "$ODOO_SRC/requirements.txt" > "$stamp_dir/odoo-requirements.txt"
  pip install -r "$stamp_dir/odoo-requirements.txt" 2>&1 | grep -v "^WARNING: Location" || true
  "$VENV/bin/python" -c "import psycopg2, lxml, werkzeug" || { echo "error: Odoo's requirements did not install" >&2; exit 1; }
  pip install 'python-ldap' >/dev/null 2>&1 || log "python-ldap did not build (only auth_ldap needs it); skipped"
  done_step odoo-requirements
fi

# The stamp is checked first, so that a first install writes it too.
odoo_src_changed=false
changed odoo-src "$ODOO_SRC/setup.py" && odoo_src_changed=true
if $odoo_src_changed \
   || ! "$VENV/bin/python" -c 'import odoo.release, sys; sys.exit(0 if odoo.release.series == "17.0" else 1)' 2>/dev/null; then
  log "installing Odoo from $ODOO_SRC (editable, compat mode)"
  pip install --no-deps --no-build-isolation --config-settings editable_mode=compat \
    -e "$ODOO_SRC" > "$here/var/log/setup-odoo.log" 2>&1 || { tail -20 "$here/var/log/setup-odoo.log"; exit 1; }
  [ -f "$stamp_dir/odoo-src.new" ] && done_step odoo-src
fi

if changed requirements requirements.txt; then
  log "installing requirements.txt"
  pip install -r requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
  "$VENV/bin/python" -c "import stripe, shopify, standardwebhooks, pytest_odoo, graphql, odoo.addons.queue_job" \
    || { echo "error: requirements.txt did not install" >&2; exit 1; }
  done_step requirements
fi

# The channel sandboxes (tests/omni_sandboxes), editable: the addons' tests, the benchmarks and
# the demo import them as a package. Re-installed when their packaging changes or when the venv
# imports them from another checkout.
sandboxes_here() {
  "$VENV/bin/python" -c 'import omni_sandboxes, pathlib, sys
sys.exit(pathlib.Path(omni_sandboxes.__file__).parent != pathlib.Path(sys.argv[1]))' \
    "$here/tests/omni_sandboxes" 2>/dev/null
}
if changed sandboxes tests/pyproject.toml || ! sandboxes_here; then
  log "installing the channel sandboxes (tests/omni_sandboxes, editable)"
  pip install --no-deps --no-build-isolation -e "$here/tests" > "$here/var/log/setup-sandboxes.log" 2>&1 \
    && sandboxes_here || { tail -20 "$here/var/log/setup-sandboxes.log"; exit 1; }
  if [ -f "$stamp_dir/sandboxes.new" ]; then done_step sandboxes; fi
fi

# --- Chromium for Odoo tours ------------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
   && ! command -v google-chrome >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Chromium (Debian package) for the UI tours"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    log "warning: no Chromium found and cannot install it (need root + apt-get); UI tours will be skipped"
  fi
fi

# --- PostgreSQL ---------------------------------------------------------------------------
if ! pg_isready -h "$PGHOST" -p "$PGPORT" -q 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null 2>&1; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 20); do pg_isready -h "$PGHOST" -p "$PGPORT" -q && break; sleep 0.5; done
  fi
fi
pg_isready -h "$PGHOST" -p "$PGPORT" -q || { echo "error: PostgreSQL does not answer on $PGHOST:$PGPORT (set PGHOST/PGPORT)" >&2; exit 1; }
if ! psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -tAc "select 1" >/dev/null 2>&1; then
  # Odoo refuses to run as the postgres superuser: it gets a role of its own.
  log "creating PostgreSQL role $PGUSER (CREATEDB) as ${PGADMIN:-postgres}"
  psql -h "$PGHOST" -p "$PGPORT" -U "${PGADMIN:-postgres}" -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE \"$PGUSER\" LOGIN CREATEDB" >/dev/null
fi

log "ready: $("$VENV/bin/python" --version), Odoo $("$VENV/bin/python" -c 'import odoo.release as r; print(r.version)')"
