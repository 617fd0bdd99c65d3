#!/usr/bin/env bash
# Export each addon's translation template, <addon>/i18n/<addon>.pot, with Odoo's own exporter
# on a fresh database where the suite is installed (without demo data). The header dates and
# Odoo's build date are stripped so that an unchanged addon gives an unchanged file.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$here"

db=${OMNI_POT_DB:-omni_pot}
conf="$here/var/odoo-pot-$db.conf"
log="$here/var/log/pot-$db.log"
write_conf "$conf" "$db"
: > "$log"

echo "[pot] fresh database $db: installing the suite"
dropdb --if-exists "$db"
if ! odoo -c "$conf" -d "$db" -i "$OMNI_ADDONS" --without-demo=all --stop-after-init \
     --log-level=warn --logfile="$log"; then
  tail -50 "$log"; exit 1
fi
for addon in ${OMNI_ADDONS//,/ }; do
  pot="$addon/i18n/$addon.pot"
  mkdir -p "$addon/i18n"
  odoo -c "$conf" -d "$db" --i18n-export="$pot" --modules="$addon" --stop-after-init \
    --log-level=warn --logfile="$log"
  sed -i -e '/^"POT-Creation-Date: /d' -e '/^"PO-Revision-Date: /d' \
    -e 's/^"Project-Id-Version: Odoo Server \([0-9]*\.[0-9]*\)[^\\]*\\n"$/"Project-Id-Version: Odoo Server \1\\n"/' \
    "$pot"
  echo "[pot] $pot: $(grep -c '^msgid ' "$pot") messages"
done
dropdb --if-exists "$db"
