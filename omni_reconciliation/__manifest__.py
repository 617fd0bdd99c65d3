{
    "name": "Omni Reconciliation",
    "summary": "Omnichannel reconciliation inside Accounting: a set-based SQL variance engine "
    "(order, payment, payout, invoice, stock, bank), typed exceptions worked by finance, "
    "variance analysis and dashboard",
    "version": "17.0.1.3.0",
    "category": "Accounting/Omnichannel",
    "author": "Omni",
    "website": "https://github.com/omni-suite/omni",
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["omni_connector_base", "account", "sale_stock", "queue_job"],
    "external_dependencies": {"python": []},
    "data": [
        "security/omni_reconciliation_security.xml",
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "data/omni_recon_data.xml",
        "views/omni_recon_exception_views.xml",
        "views/omni_recon_exception_wizard_views.xml",
        "views/omni_recon_run_views.xml",
        "views/omni_recon_tolerance_views.xml",
        "views/res_config_settings_views.xml",
        "views/omni_backend_views.xml",
        "report/omni_recon_variance_report_views.xml",
        "report/omni_recon_dashboard_views.xml",
        "views/omni_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "omni_reconciliation/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
