{
    "name": "Omni Connector Amazon",
    "summary": "Amazon Selling Partner API into Odoo: marketplace orders (FBA and merchant "
    "fulfilled) and settlement reports as payouts with their fees",
    "version": "17.0.1.0.0",
    "category": "Sales/Omnichannel",
    "author": "Omni",
    "website": "https://github.com/omni-suite/omni",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["omni_connector_base"],
    "external_dependencies": {"python": ["python-amazon-sp-api"]},
    "data": [
        "security/ir.model.access.csv",
        "security/omni_amazon_security.xml",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "views/omni_backend_views.xml",
        "views/amazon_settlement_import_views.xml",
        "views/omni_menus.xml",
    ],
    "installable": True,
}
