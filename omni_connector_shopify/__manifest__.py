{
    "name": "Omni Connector Shopify",
    "summary": "Shopify channel of the Omni suite: orders pulled over the GraphQL Admin API "
    "and received by HMAC-verified webhooks, refunds and transactions",
    "version": "17.0.1.1.0",
    "category": "Sales/Omnichannel",
    "author": "Omni",
    "website": "https://github.com/omni-suite/omni",
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["omni_connector_base"],
    "external_dependencies": {"python": ["ShopifyAPI"]},
    "data": [
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "data/ir_cron_stock_data.xml",
        "views/omni_backend_views.xml",
        "views/omni_backend_stock_views.xml",
        "views/omni_menus.xml",
    ],
    "demo": ["demo/omni_backend_demo.xml"],
    "installable": True,
}
