{
    "name": "Omni Connector Stripe",
    "summary": "Stripe into Odoo accounting, payout by payout: charges, refunds, fees, "
    "disputes and payouts, signed webhooks",
    "version": "17.0.1.0.0",
    "category": "Sales/Omnichannel",
    "author": "Omni",
    "website": "https://github.com/omni-suite/omni",
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["omni_connector_base"],
    "external_dependencies": {"python": ["stripe"]},
    "data": [
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "views/omni_backend_views.xml",
        "views/omni_menus.xml",
    ],
    "demo": ["demo/omni_backend_demo.xml"],
    "installable": True,
}
