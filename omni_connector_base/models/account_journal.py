from odoo import fields, models


class AccountJournal(models.Model):
    _inherit = "account.journal"

    omni_gateway = fields.Char(
        string="Omnichannel Gateway",
        copy=False,
        help="The payment gateway this journal was made for (the processor's balance).",
    )
