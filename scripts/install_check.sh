#!/usr/bin/env bash
# Install and uninstall every addon alone, then all together, with and without demo data.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$here"
conf="$here/var/odoo-check.conf"
db=omni_install_check
IFS=, read -ra addons <<< "$OMNI_ADDONS"
runs=("${addons[@]}" "$OMNI_ADDONS")
for demo in without with; do
  for target in "${runs[@]}"; do
    write_conf "$conf" "$db" ""
    dropdb --if-exists "$db"
    flags=()
    [ "$demo" = without ] && flags=(--without-demo=all)
    start=$(date +%s)
    log="$here/var/log/install-check.log"
    odoo -c "$conf" -d "$db" -i "$target" "${flags[@]}" --stop-after-init --log-level=warn \
      --logfile="$log"
    ! grep -E " (ERROR|CRITICAL) " "$log" || { echo "FAIL install $target ($demo demo)"; exit 1; }
    took=$(( $(date +%s) - start ))
    echo "env['ir.module.module'].search([('name', '=like', 'omni\\_%'), ('state', '=', 'installed')]).button_immediate_uninstall(); env.cr.commit()" \
      | odoo shell -c "$conf" -d "$db" --log-level=warn --logfile="$log" >/dev/null
    ! grep -E " (ERROR|CRITICAL) " "$log" || { echo "FAIL uninstall $target ($demo demo)"; exit 1; }
    left=$(psql -d "$db" -tAc "SELECT count(*) FROM ir_module_module WHERE name LIKE 'omni%' AND state <> 'uninstalled'")
    [ "$left" = 0 ] || { echo "FAIL uninstall $target ($demo demo): $left module(s) left"; exit 1; }
    echo "ok  $target ($demo demo): install ${took}s, uninstall clean"
  done
done
dropdb --if-exists "$db"
