#!/usr/bin/env bash
# Run a benchmark (benchmarks/bench_<name>.py) on a fresh copy of a database with the suite.
#   scripts/bench.sh stripe [--n 20000]
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$here"
name=$1; shift
template=omni_bench_template
conf="$here/var/odoo-bench.conf"
write_conf "$conf" "omni_bench_$name" "$here/tests/addons"
installed=$(psql -d "$template" -tAc \
  "SELECT 1 FROM ir_module_module WHERE name = 'omni_connector_stripe' AND state = 'installed'" \
  2>/dev/null || true)
if [ "$installed" != 1 ]; then
  echo "[bench] building $template (once)"
  dropdb --if-exists "$template"
  odoo -c "$conf" -d "$template" -i "$OMNI_ADDONS" --without-demo=all --stop-after-init \
    --log-level=warn
fi
dropdb --if-exists "omni_bench_$name"
createdb -T "$template" "omni_bench_$name"
exec "$PY" "$here/benchmarks/bench_$name.py" --conf "$conf" --db "omni_bench_$name" "$@"
