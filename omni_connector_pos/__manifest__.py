{
    "name": "Omni Connector POS",
    "summary": "Store channel of the Omni suite: store backends (Odoo POS and external tills), "
    "their job channel and configuration menu (feeds and Z-reports come in later releases)",
    "version": "17.0.1.0.0",
    "category": "Sales/Omnichannel",
    "author": "Omni",
    "website": "https://github.com/omni-suite/omni",
    "license": "LGPL-3",
    "depends": ["omni_connector_base", "point_of_sale"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "data/queue_job_data.xml",
        "views/omni_backend_views.xml",
        "views/omni_menus.xml",
    ],
    "demo": ["demo/omni_backend_demo.xml"],
    "installable": True,
}
