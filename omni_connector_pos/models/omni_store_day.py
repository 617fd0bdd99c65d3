from collections import defaultdict
from decimal import Decimal

from odoo import _, fields, models

from odoo.addons.omni_connector_base.tools.errors import CurrencyError


class OmniStoreDay(models.Model):
    """Store-day facts from both sides, each side rewritten whole whenever it changes, so the
    result does not depend on whether the Z report or the transactions arrived first."""

    _inherit = "omni.store.day"

    def _pos_get(self, backend, location, business_date, currency):
        """The store-day of a location (created on first sight); serialised per store-day."""
        self.env["omni.importer"]._lock(backend, "store_day", f"{location.id}:{business_date}")
        day = self.search(
            [("location_id", "=", location.id), ("business_date", "=", business_date)]
        )
        if not day:
            return self.create(
                {
                    "backend_id": backend.id,
                    "location_id": location.id,
                    "business_date": business_date,
                    "currency_id": currency.id,
                }
            )
        if day.currency_id != currency:
            raise CurrencyError(
                _(
                    "Store-day %(day)s is in %(day_cur)s, not %(cur)s.",
                    day=day.display_name,
                    day_cur=day.currency_id.name,
                    cur=currency.name,
                )
            )
        return day

    pos_z_reports = fields.Json(
        string="Z Reports",
        help="Tender totals of each Z report of the day, by Z id: a till that closes several "
        "sessions a day declares the sum of them.",
        copy=False,
    )

    def _pos_apply_z(self, z_report, event=None):
        """The Z-report side: declared amount per tender, summed over the day's Z reports (a
        replayed report replaces itself; tenders no report declares are zero)."""
        self.ensure_one()
        reports = dict(self.pos_z_reports or {})
        reports[z_report.z_id] = {tender: str(amount) for tender, amount, __ in z_report.tenders}
        declared = defaultdict(Decimal)
        for tenders in reports.values():
            for tender, amount in tenders.items():
                declared[tender] += Decimal(amount)
        self.write(
            {
                "z_reported": True,
                "z_received_at": fields.Datetime.now(),
                "external_id": ", ".join(sorted(reports)),
                "pos_z_reports": reports,
                "event_id": event.id if event else False,
            }
        )
        by_tender = {line.tender: line for line in self.tender_ids}
        for tender, line in by_tender.items():
            if tender not in declared:
                line.z_amount = 0.0
        Tender = self.env["omni.store.day.tender"]
        for tender, amount in declared.items():
            if tender in by_tender:
                by_tender[tender].z_amount = float(amount)
            else:
                Tender.create(
                    {"store_day_id": self.id, "tender": tender, "z_amount": float(amount)}
                )

    def _pos_recompute_transactions(self):
        """The transactions side, set-based: one query sums every non-voided till movement of
        the day (a store-level day also sums its registers) per tender."""
        self.env["omni.payment"].flush_model()
        Tender = self.env["omni.store.day.tender"]
        for day in self:
            locations = day.location_id
            if day.location_id.kind == "store":
                locations |= self.env["omni.location"].search(
                    [("parent_id", "=", day.location_id.id)]
                )
            self.env.cr.execute(
                """
                SELECT pos_tender, SUM(amount), COUNT(DISTINCT pos_transaction_ref)
                  FROM omni_payment
                 WHERE backend_id = %s
                   AND pos_business_date = %s
                   AND pos_location_id IN %s
                   AND COALESCE(status, '') != 'voided'
              GROUP BY pos_tender
                """,
                [day.backend_id.id, day.business_date, tuple(locations.ids)],
            )
            sums = {tender: (total, count) for tender, total, count in self.env.cr.fetchall()}
            by_tender = {line.tender: line for line in day.tender_ids}
            for tender, line in by_tender.items():
                total, count = sums.get(tender, (0, 0))
                line.write({"transactions_amount": float(total), "transaction_count": count})
            for tender, (total, count) in sums.items():
                if tender not in by_tender:
                    Tender.create(
                        {
                            "store_day_id": day.id,
                            "tender": tender,
                            "transactions_amount": float(total),
                            "transaction_count": count,
                        }
                    )
