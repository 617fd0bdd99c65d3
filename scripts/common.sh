# Shared settings of the make targets (sourced, not run).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ODOO_SRC=${ODOO_SRC:-/opt/odoo17}
export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-odoo}
VENV=${VENV:-$here/.venv}
PY="$VENV/bin/python"
OMNI_ADDONS=${OMNI_ADDONS:-omni_connector_base,omni_connector_shopify,omni_connector_stripe,omni_connector_pos,omni_connector_amazon,omni_connector_3pl,omni_reconciliation}
mkdir -p "$here/var/log"

addons_path() {  # upstream checkouts keep addons/ beside odoo/addons
  local path="$ODOO_SRC/odoo/addons"
  [ -d "$ODOO_SRC/addons" ] && path="$ODOO_SRC/addons,$path"
  echo "$path,$here${1:+,$1}"
}

write_conf() {  # write_conf FILE DB [EXTRA_ADDONS_DIR] [extra lines...]
  local file=$1 db=$2 extra=${3:-}
  shift 3 || shift $#
  {
    echo "[options]"
    echo "addons_path = $(addons_path "$extra")"
    echo "data_dir = $here/var/data"
    echo "db_host = $PGHOST"
    echo "db_port = $PGPORT"
    echo "db_user = $PGUSER"
    echo "db_password = ${PGPASSWORD:-False}"
    echo "db_name = $db"
    echo "dbfilter = ^$db\$"
    echo "list_db = False"
    echo "admin_passwd = ${ODOO_ADMIN_PASSWD:-admin}"
    for line in "$@"; do echo "$line"; done
  } > "$file"
}

odoo() { "$PY" "$ODOO_SRC/odoo-bin" "$@"; }
