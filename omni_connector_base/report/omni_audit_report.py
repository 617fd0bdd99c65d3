from odoo import fields, models

from ..const import AUDIT_ACTIONS


class OmniAuditReport(models.Model):
    """Manual actions on events (and, with the reconciliation, on exceptions): who did what
    to which record when. Read from the chatter lines the actions log."""

    _name = "omni.audit.report"
    _description = "Omnichannel Audit Trail"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "action"
    # flushed before the report reads them (the actions write the marker after logging)
    _depends = {
        "mail.message": [
            "omni_action",
            "create_date",
            "create_uid",
            "model",
            "res_id",
            "body",
            "record_company_id",
        ],
    }

    date = fields.Datetime(readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
    action = fields.Selection(AUDIT_ACTIONS, readonly=True)
    res_model = fields.Char(string="Model", readonly=True)
    res_id = fields.Integer(string="Record ID", readonly=True)
    record_ref = fields.Reference(
        selection="_selection_record_ref", string="Record", compute="_compute_record_ref"
    )
    body = fields.Html(string="Entry", readonly=True, sanitize=False)
    company_id = fields.Many2one("res.company", readonly=True)

    def _selection_record_ref(self):
        models_ = self.env["ir.model"].sudo().search([("model", "=like", "omni.%")])
        return [(model.model, model.name) for model in models_]

    def _compute_record_ref(self):
        for line in self:
            line.record_ref = f"{line.res_model},{line.res_id}" if line.res_id else False

    # create_uid, not the author: the user who ran the action even when it logs as sudo
    _table_query = """
        SELECT m.id, m.create_date AS date, m.create_uid AS user_id,
               m.omni_action AS action, m.model AS res_model, m.res_id,
               m.body, m.record_company_id AS company_id
          FROM mail_message m
         WHERE m.omni_action IS NOT NULL
    """
