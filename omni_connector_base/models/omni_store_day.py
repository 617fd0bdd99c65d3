from odoo import api, fields, models

from ..const import TENDER_TYPES


class OmniStoreDay(models.Model):
    """One business day of one store or till: the end-of-day (Z) report beside the
    transactions actually received for that day, tender by tender.

    Connectors fill it (Odoo POS session closings, external Z reports); the reconciliation
    reports every tender whose gap is not zero.
    """

    _name = "omni.store.day"
    _description = "Omnichannel Store Day"
    _order = "business_date desc, location_id"
    _rec_name = "display_name"

    backend_id = fields.Many2one("omni.backend", required=True, ondelete="restrict", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    location_id = fields.Many2one(
        "omni.location", string="Store / Register", required=True, ondelete="restrict", index=True
    )
    business_date = fields.Date(required=True, index=True)
    external_id = fields.Char(help="The till's id of its Z report or session.")
    currency_id = fields.Many2one("res.currency", required=True)
    z_reported = fields.Boolean(
        string="Z Report Received", help="False while only transactions are known for the day."
    )
    z_received_at = fields.Datetime()
    tender_ids = fields.One2many("omni.store.day.tender", "store_day_id", string="Tenders")
    z_total = fields.Monetary(compute="_compute_totals", store=True, string="Z Report Total")
    transactions_total = fields.Monetary(compute="_compute_totals", store=True)
    gap_total = fields.Monetary(compute="_compute_totals", store=True, string="Gap")
    event_id = fields.Many2one("omni.event", ondelete="set null", string="Source Event")

    _sql_constraints = [
        (
            "location_date_uniq",
            "UNIQUE(location_id, business_date)",
            "This store-day is already recorded.",
        ),
    ]

    @api.depends("location_id.name", "business_date")
    def _compute_display_name(self):
        for day in self:
            day.display_name = f"{day.location_id.name} {day.business_date or ''}".strip()

    @api.depends("tender_ids.z_amount", "tender_ids.transactions_amount")
    def _compute_totals(self):
        for day in self:
            day.z_total = sum(day.tender_ids.mapped("z_amount"))
            day.transactions_total = sum(day.tender_ids.mapped("transactions_amount"))
            day.gap_total = day.z_total - day.transactions_total


class OmniStoreDayTender(models.Model):
    _name = "omni.store.day.tender"
    _description = "Omnichannel Store Day Tender"
    _order = "store_day_id, tender"

    store_day_id = fields.Many2one("omni.store.day", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="store_day_id.company_id", store=True)
    currency_id = fields.Many2one(related="store_day_id.currency_id", store=True)
    tender = fields.Selection(TENDER_TYPES, required=True, help="The till's canonical tender.")
    z_amount = fields.Monetary(
        string="Z Report", help="Total the till declared for this tender (counted for cash)."
    )
    transactions_amount = fields.Monetary(
        string="Transactions", help="Sum of the transactions received for this tender and day."
    )
    gap_amount = fields.Monetary(compute="_compute_gap", store=True, string="Gap")
    transaction_count = fields.Integer()

    _sql_constraints = [
        ("day_tender_uniq", "UNIQUE(store_day_id, tender)", "This tender is already on the day."),
    ]

    @api.depends("z_amount", "transactions_amount")
    def _compute_gap(self):
        for line in self:
            line.gap_amount = line.z_amount - line.transactions_amount
