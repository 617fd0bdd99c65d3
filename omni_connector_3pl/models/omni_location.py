from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..const import CHANNEL


class OmniLocation(models.Model):
    """A 3PL's fulfilment centre is a location of its backend, mapped to the Odoo warehouse
    that stands for it: that warehouse's deliveries are sent to the 3PL and its stock is
    compared with the centre's."""

    _inherit = "omni.location"

    tpl_send_deliveries = fields.Boolean(
        string="Send Deliveries",
        help="Confirmed deliveries of the mapped warehouse are sent to this fulfilment centre "
        "as orders; its shipments validate them.",
    )

    @api.constrains("tpl_send_deliveries", "warehouse_id", "active")
    def _check_one_3pl_per_warehouse(self):
        for location in self.filtered(lambda loc: loc.tpl_send_deliveries and loc.active):
            if not location.warehouse_id:
                raise ValidationError(
                    _("%(name)s sends deliveries: map it to a warehouse.", name=location.name)
                )
            other = self.search(
                [
                    ("id", "!=", location.id),
                    ("warehouse_id", "=", location.warehouse_id.id),
                    ("tpl_send_deliveries", "=", True),
                ],
                limit=1,
            )
            if other:
                raise ValidationError(
                    _(
                        "Warehouse %(warehouse)s already sends its deliveries to %(other)s.",
                        warehouse=location.warehouse_id.name,
                        other=other.display_name,
                    )
                )

    @api.model
    def _tpl_for_warehouses(self, warehouses):
        """{warehouse: its 3PL fulfilment centre} for the warehouses operated by a 3PL."""
        locations = self.search(
            [
                ("warehouse_id", "in", warehouses.ids),
                ("tpl_send_deliveries", "=", True),
                ("backend_id.channel", "=", CHANNEL),
                ("backend_id.active", "=", True),
            ]
        )
        return {location.warehouse_id: location for location in locations}
