from odoo import fields, models


class OmniAuditReport(models.Model):
    """The reconciliation's manual actions on exceptions, in the suite's audit trail."""

    _inherit = "omni.audit.report"

    action = fields.Selection(
        selection_add=[
            ("exception_resolve", "Exception resolved"),
            ("exception_explain", "Exception explained"),
            ("exception_ignore", "Exception ignored"),
            ("exception_reopen", "Exception reopened"),
            ("exception_assign", "Exception assigned"),
            ("exception_link_payment", "Payment linked to an order"),
            ("exception_invoice", "Invoice created from an exception"),
            ("exception_credit_note", "Credit note created from an exception"),
        ]
    )
