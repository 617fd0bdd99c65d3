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
# The template is rebuilt whenever the addons' code changed since it was built.
source_digest=$(cd "$here" && find omni_* tests/addons -type f -not -path '*/__pycache__/*' \
  -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -c1-40)
built_digest=$(psql -d "$template" -tAc "SELECT shobj_description(oid, 'pg_database')
  FROM pg_database WHERE datname = '$template'" 2>/dev/null || true)
if [ "$built_digest" != "$source_digest" ]; then
  echo "[bench] building $template for this code"
  dropdb --if-exists "$template"
  odoo -c "$conf" -d "$template" -i "$OMNI_ADDONS" --without-demo=all --stop-after-init \
    --log-level=warn
  psql -d "$template" -qc "COMMENT ON DATABASE $template IS '$source_digest'"
fi
dropdb --if-exists "omni_bench_$name"
createdb -T "$template" "omni_bench_$name"
exec "$PY" "$here/benchmarks/bench_$name.py" --conf "$conf" --db "omni_bench_$name" "$@"
