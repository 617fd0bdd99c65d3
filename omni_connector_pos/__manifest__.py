{
    "name": "Omni Connector POS",
    "summary": "Store channel of the Omni suite: Odoo's own Point of Sale mirrored, external "
    "tills through a versioned JSON contract (signed webhook, file import, REST pull), Z-report "
    "gaps per store-day and tender",
    "version": "17.0.1.1.0",
    "category": "Sales/Omnichannel",
    "author": "Omni",
    "website": "https://github.com/omni-suite/omni",
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["omni_connector_base", "point_of_sale"],
    "external_dependencies": {"python": ["requests", "jsonschema"]},
    "data": [
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "views/omni_pos_import_wizard_views.xml",
        "views/omni_backend_views.xml",
        "views/omni_menus.xml",
    ],
    "demo": ["demo/omni_backend_demo.xml"],
    "installable": True,
}
