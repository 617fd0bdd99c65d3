#!/usr/bin/env bash
# Run every test of the suite on a fresh database; ends with pytest's summary line.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$here"

db=${OMNI_TEST_DB:-omni_test}
conf="$here/var/odoo-test-$db.conf"
# OMNI_TEST_PORT lets two runs (tours need the HTTP server) share one machine.
write_conf "$conf" "$db" "$here/tests/addons" "http_interface = 127.0.0.1" \
  "http_port = ${OMNI_TEST_PORT:-8069}"

echo "[test] fresh database $db: installing the suite and the test-only channel"
dropdb --if-exists "$db"
start=$(date +%s)
: > "$here/var/log/test-install-$db.log"
if ! odoo -c "$conf" -d "$db" -i "$OMNI_ADDONS,omni_test_channel" --without-demo=all \
     --stop-after-init --log-level=warn --logfile="$here/var/log/test-install-$db.log"; then
  tail -50 "$here/var/log/test-install-$db.log"; exit 1
fi
if grep -E " (ERROR|CRITICAL) " "$here/var/log/test-install-$db.log"; then
  echo "[test] the install logged errors (var/log/test-install-$db.log)"; exit 1
fi
echo "[test] installed in $(( $(date +%s) - start ))s"

set +e
"$VENV/bin/pytest" --odoo-config="$conf" --odoo-database="$db" --odoo-http \
  --odoo-log-level=warn -p no:cacheprovider -q "$@"
status=$?
set -e
if [ $status -eq 5 ]; then
  echo "[test] pytest collected no test: that is a failure"; exit 1
fi
exit $status
