#!/usr/bin/env bash
# Create (or update) the demo database omni_demo with the whole suite and serve it with the
# queue_job runner at http://localhost:8069 (admin / admin). Safe to run again.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$here"

db=${OMNI_DEMO_DB:-omni_demo}
port=${OMNI_DEMO_PORT:-8069}
conf="$here/var/odoo-demo-$db.conf"
write_conf "$conf" "$db" "" \
  "http_port = $port" \
  "server_wide_modules = base,web,queue_job" \
  "workers = 0" \
  "" \
  "[queue_job]" \
  "channels = root:2,root.omni:2,root.omni.stripe:1"

modules="sale_management,stock,account,point_of_sale,$OMNI_ADDONS"
installed=$(psql -d "$db" -tAc \
  "SELECT 1 FROM ir_module_module WHERE name = 'omni_connector_base' AND state = 'installed'" \
  2>/dev/null || true)
if [ "$installed" = 1 ]; then
  echo "[demo] updating the suite in $db"
  odoo -c "$conf" -d "$db" -u "$OMNI_ADDONS" --stop-after-init --log-level=warn
else
  echo "[demo] creating $db with demo data (a few minutes on a small machine)"
  dropdb --if-exists "$db"
  odoo -c "$conf" -d "$db" -i "$modules" --stop-after-init --log-level=warn
fi

# Channel sandboxes (Stripe, Shopify) on 127.0.0.1, stopped with the server.
stripe_port=${OMNI_STRIPE_SANDBOX_PORT:-8071}
shopify_port=${OMNI_SHOPIFY_SANDBOX_PORT:-8072}
OMNI_SHOPIFY_SANDBOX_PORT=$shopify_port \
OMNI_STRIPE_SANDBOX_PORT=$stripe_port "$PY" "$here/tests/omni_sandboxes/serve.py" \
  > "$here/var/log/sandboxes-$db.log" 2>&1 &
sandboxes=$!
trap 'kill $sandboxes 2>/dev/null' EXIT
for _ in $(seq 1 50); do grep -q "sandbox on" "$here/var/log/sandboxes-$db.log" && break; sleep 0.2; done
for _ in $(seq 1 50); do grep -q "shopify sandbox" "$here/var/log/sandboxes-$db.log" && break; sleep 0.2; done
grep -q "shopify sandbox on" "$here/var/log/sandboxes-$db.log" &&
  export OMNI_SHOPIFY_SANDBOX_URL="http://127.0.0.1:$shopify_port"
OMNI_STRIPE_SANDBOX_URL="http://127.0.0.1:$stripe_port" \
  odoo shell -c "$conf" -d "$db" --log-level=warn < "$here/scripts/demo_setup.py"

echo "[demo] serving http://localhost:$port  (login admin / password admin), Ctrl-C to stop"
"$PY" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$db"
