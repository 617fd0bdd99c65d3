"""The contract and the pure parsers, without a database."""

import json
from decimal import Decimal

import jsonschema
from omni_sandboxes.pos_sandbox import generate_store_days

from odoo.tests import BaseCase, tagged

from odoo.addons.omni_connector_base.tools.errors import PayloadError

from ..tools import contract, csv_feed
from ..tools.parser import as_refund, parse_transaction, parse_z_report


@tagged("post_install", "-at_install")
class TestPosContract(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = generate_store_days()

    def test_schema_is_valid_and_the_sandbox_speaks_it(self):
        jsonschema.Draft202012Validator.check_schema(contract.schema())
        contract.validate(self.world.batch())
        for record in self.world.records:
            contract.validate(record)
            contract.validate(record, record["record_type"])
        self.assertEqual(generate_store_days().to_json(), self.world.to_json(), "deterministic")
        self.assertNotEqual(generate_store_days(seed=8).to_json(), self.world.to_json())

    def test_parse_sale_exactly(self):
        sale = next(t for t in self.world.transactions if len(t.get("tenders", ())) == 2)
        txn = parse_transaction(sale)
        self.assertEqual(txn.order.amount_total, Decimal(sale["total"]))
        self.assertEqual(sum(p.amount for p in txn.payments), Decimal(sale["total"]))
        self.assertEqual({p.order_external_id for p in txn.payments}, {sale["transaction_id"]})
        self.assertEqual(txn.location_external_id, sale["register_id"])
        self.assertTrue(all(isinstance(line.quantity, Decimal) for line in txn.order.lines))
        self.assertEqual(txn.order.lines[0].product_external_id, f"sku:{sale['lines'][0]['sku']}")

    def test_return_with_receipt_is_a_refund(self):
        ret = next(
            t
            for t in self.world.transactions
            if t.get("original_transaction_id") and t["kind"] == "return"
        )
        original = next(
            t
            for t in self.world.transactions
            if t["transaction_id"] == ret["original_transaction_id"]
        )
        lines = [(line["line_id"], line["sku"], line["barcode"]) for line in original["lines"]]
        refund = as_refund(parse_transaction(ret), lines)
        self.assertEqual(refund.order_external_id, original["transaction_id"])
        self.assertEqual(refund.amount, -Decimal(ret["total"]))
        self.assertEqual(refund.lines[0].quantity, Decimal(1))
        # Nothing of the original matches: not a refund (a return order instead).
        self.assertIsNone(as_refund(parse_transaction(ret), [("9", "OTHER", "")]))

    def test_hostile_transactions(self):
        good = self.world.transactions[0]
        for bad in (
            {**good, "total": "1e3"},
            {**good, "total": "NaN"},
            {**good, "lines": []},
            {**good, "created_at": "2026-11-02T10:00:00"},  # no offset
            {**good, "tenders": [{**good["tenders"][0], "type": "bitcoin"}]},
            {**good, "lines": [{**good["lines"][0], "quantity": 2}]},  # a number, not a string
            {
                **good,
                "lines": [
                    {k: v for k, v in good["lines"][0].items() if k not in ("sku", "barcode")}
                ],
            },
            "not an object",
        ):
            with self.assertRaises(PayloadError):
                parse_transaction(bad)
        with self.assertRaises(PayloadError):
            contract.split({"contract_version": "2", "records": []})
        with self.assertRaises(PayloadError):
            contract.split([])

    def test_z_report(self):
        z = parse_z_report(self.world.z_reports[0])
        declared = {tender: amount for tender, amount, __ in z.tenders}
        self.assertEqual(sum(declared.values()), Decimal(self.world.z_reports[0]["total"]))

    def test_csv_round_trip(self):
        records, rejected = csv_feed.read(self.world.to_csv())
        self.assertEqual(rejected, [])
        self.assertEqual(len(records), len(self.world.records))
        by_id = {contract.record_key(r): r for __, r in records}
        for original in self.world.records:
            record = by_id[contract.record_key(original)]
            if original["record_type"] == "transaction" and original["kind"] != "void":
                self.assertEqual(
                    parse_transaction(record).order.amount_total, Decimal(original["total"])
                )
                self.assertEqual(
                    parse_transaction(record).tenders, parse_transaction(original).tenders
                )
            elif original["record_type"] == "z_report":
                self.assertEqual(
                    parse_z_report(record).tenders[0][:2], parse_z_report(original).tenders[0][:2]
                )

    def test_csv_hostile(self):
        with self.assertRaises(PayloadError):
            csv_feed.read(b"\xff\xfe not utf-8")
        with self.assertRaises(PayloadError):
            csv_feed.read(b"transaction_id,amount\nT1,1.00\n")
        with self.assertRaises(PayloadError):
            csv_feed.read(b"row_type,evil_column\nline,x\n")
        header = ",".join(csv_feed.COLUMNS)
        data = f"{header}\ntender,T9,,,,,,,,,,,,,,,,,,,,,,1,cash,5.00,,,\nline,,extra\n".encode()
        records, rejected = csv_feed.read(data)
        self.assertEqual(records, [])
        messages = " ".join(message for __, message, __ in rejected)
        self.assertIn("line 2", messages)  # tender rows without any line row
        self.assertIn("line 3", messages)  # a line row without its transaction id
        kept = [row for __, __, rows in rejected for row in rows]
        self.assertIn("T9", [row.get("transaction_id") for row in kept], "raw rows kept")
        json.dumps(kept)  # they go into an event payload as they are
