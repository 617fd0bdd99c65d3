"""Constants of the POS connector (as Odoo's own ``payment_stripe/const.py``)."""

SIGNATURE_HEADER = "X-Pos-Signature"
PULL_CHUNK = 50  # events stored per chunk while pulling
WAIT_FOR_ORIGINAL = 120  # seconds before a void / return looks again for its original sale

# Event topics: contract v1 records (webhook, file, REST pull), rejected file rows and the
# snapshots of Odoo's own Point of Sale.
TRANSACTION_TOPIC = "pos.transaction"
Z_REPORT_TOPIC = "pos.z_report"
INVALID_TOPIC = "pos.invalid"
FILE_ROWS_TOPIC = "pos.file_rows"
ODOO_ORDER_TOPIC = "pos.odoo_order"
ODOO_SESSION_TOPIC = "pos.odoo_session"

# Event topic -> backend method processing it; any other topic is an invalid record.
EVENT_HANDLERS = {
    TRANSACTION_TOPIC: "_pos_import_transaction",
    Z_REPORT_TOPIC: "_pos_process_z_report",
    ODOO_ORDER_TOPIC: "_pos_mirror_order",
    ODOO_SESSION_TOPIC: "_pos_mirror_session",
    FILE_ROWS_TOPIC: "_pos_process_file_rows",
    INVALID_TOPIC: "_pos_process_invalid",
}

# Odoo POS payment method type -> canonical tender.
ODOO_TENDERS = {"cash": "cash", "bank": "card", "pay_later": "store_credit"}
