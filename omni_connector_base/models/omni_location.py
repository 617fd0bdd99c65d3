from odoo import api, fields, models


class OmniLocation(models.Model):
    """A channel's place where goods or money are: a Shopify location, a store, a till.

    Maps it to the warehouse whose stock it sells and the analytic account its sales are
    reported on, so that imports land in the right warehouse and stock pushes read the right
    quantities. One row per (backend, external id).
    """

    _name = "omni.location"
    _description = "Omnichannel Location"
    _order = "backend_id, kind, name"
    _check_company_auto = True

    name = fields.Char(required=True)
    backend_id = fields.Many2one("omni.backend", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="backend_id.company_id", store=True, index=True)
    channel = fields.Selection(related="backend_id.channel", store=True)
    external_id = fields.Char(required=True, help="The channel's id of this location.")
    kind = fields.Selection(
        [("location", "Fulfilment Location"), ("store", "Store"), ("register", "Register")],
        default="location",
        required=True,
    )
    parent_id = fields.Many2one(
        "omni.location",
        string="Store",
        ondelete="cascade",
        domain="[('backend_id', '=', backend_id), ('kind', '=', 'store')]",
        help="The store a register belongs to.",
    )
    warehouse_id = fields.Many2one("stock.warehouse", check_company=True)
    analytic_account_id = fields.Many2one("account.analytic.account", check_company=True)
    stock_sync = fields.Boolean(
        string="Push Stock",
        help="Send this warehouse's available quantities to the channel for this location.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "backend_external_uniq",
            "UNIQUE(backend_id, external_id)",
            "This channel location is already mapped.",
        ),
    ]

    @api.model
    def _find(self, backend, external_id):
        """The mapping row of a channel location, or an empty recordset."""
        if not external_id:
            return self.browse()
        return self.with_context(active_test=False).search(
            [("backend_id", "=", backend.id), ("external_id", "=", str(external_id))], limit=1
        )

    def _effective_warehouse(self):
        """Own warehouse, else the store's (a register sells its store's stock)."""
        self.ensure_one()
        return self.warehouse_id or self.parent_id.warehouse_id
