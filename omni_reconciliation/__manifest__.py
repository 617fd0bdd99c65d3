{
    "name": "Omni Reconciliation",
    "summary": "Reconciliation exceptions of the Omni suite inside Accounting: typed, assigned "
    "and worked by finance (the variance engine that raises them comes in a later release)",
    "version": "17.0.1.0.0",
    "category": "Accounting/Omnichannel",
    "author": "Omni",
    "website": "https://github.com/omni-suite/omni",
    "license": "LGPL-3",
    "depends": ["omni_connector_base", "account"],
    "external_dependencies": {"python": []},
    "data": [
        "security/omni_reconciliation_security.xml",
        "security/ir.model.access.csv",
        "views/omni_recon_exception_views.xml",
        "views/omni_menus.xml",
    ],
    "installable": True,
}
