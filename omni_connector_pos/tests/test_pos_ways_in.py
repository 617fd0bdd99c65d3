"""The three ways in (signed webhook, file import, REST pull) land the same records as the same
events, give identical results, and reject what they must."""

import base64
import json

from omni_sandboxes.pos_sandbox import send_webhook, sign

from odoo.tests import HttpCase, tagged

from .common import WEBHOOK_SECRET, PosCase


@tagged("post_install", "-at_install")
class TestPosWaysIn(PosCase, HttpCase):
    def post(self, backend, document, signature=None, secret=WEBHOOK_SECRET):
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        headers = {"Content-Type": "application/json"}
        headers["X-Pos-Signature"] = sign(body, secret) if signature is None else signature
        return self.url_open(
            f"/omni/webhook/pos/{backend.id}", data=body, headers=headers, timeout=20
        )

    def import_file(self, backend, data, filename):
        wizard = self.env["omni.pos.import.wizard"].create(
            {"backend_id": backend.id, "file": base64.b64encode(data), "filename": filename}
        )
        wizard.action_import()
        return wizard

    def test_bad_signature_is_401_and_nothing_stored(self):
        record = self.world.transactions[0]
        body = json.dumps(record).encode()
        for signature in (
            "",
            "sha256=",
            "sha256=deadbeef",
            sign(body, "not-the-secret"),
            sign(body + b" ", WEBHOOK_SECRET),
        ):
            response = self.post(self.backend, body, signature)
            self.assertEqual(response.status_code, 401, signature)
        no_secret = self.make_backend("No secret", webhook_secret=False)
        self.assertEqual(self.post(no_secret, body).status_code, 401)
        # Another channel's URL for this backend: unknown.
        response = self.url_open(f"/omni/webhook/stripe/{self.backend.id}", data=body, timeout=20)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(
            self.env["omni.event"].search([("backend_id", "in", (self.backend | no_secret).ids)])
        )

    def test_webhook_stores_dedupes_and_keeps_unreadable(self):
        record = self.world.transactions[0]
        response = self.post(self.backend, record)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"received": 1, "duplicates": 0})
        # The till retries the same transaction: stored once.
        response = self.post(self.backend, dict(record, note="resent"))
        self.assertEqual(response.json(), {"received": 0, "duplicates": 1})
        event = self.events(topic="pos.transaction")
        self.assertEqual(len(event), 1)
        self.assertEqual(event.source, "webhook")
        self.assertNotIn("X-Pos-Signature", event.headers or {})
        # Authentic but not JSON: kept as a failed event, visible, never dropped.
        response = self.post(self.backend, b"{not json")
        self.assertEqual(response.status_code, 200)
        unreadable = self.events(topic="unreadable")
        self.assertEqual(unreadable.state, "failed")
        self.assertEqual(unreadable.error_class, "payload")

    def test_three_ways_identical(self):
        by_webhook = self.backend
        by_file = self.make_backend("By file")
        by_pull = self.make_backend("By pull", pos_page_size=5)
        # 1. signed webhooks, one record per request (Z reports included)
        for record in self.world.records:
            response = send_webhook(
                f"{self.base_url()}/omni/webhook/pos/{by_webhook.id}", record, WEBHOOK_SECRET
            )
            self.assertEqual(response.status_code, 200, response.text)
        # 2. the end-of-day CSV export
        wizard = self.import_file(by_file, self.world.to_csv(), "eod.csv")
        self.assertEqual(wizard.rejected_count, 0, wizard.report)
        self.assertEqual(wizard.received_count, len(self.world.records))
        # 3. the REST pull, five records a page
        by_pull._pos_pull()
        pages = [q for path, q in self.sandbox.requests if path == "/v1/records"]
        self.assertEqual(len(pages), -(-len(self.world.records) // 5))
        for backend in (by_webhook, by_file, by_pull):
            events = self.events(backend)
            self.assertEqual(len(events), len(self.world.records))
            events._process_job()
            self.assert_all_done(events)
        reference = self.comparable(by_webhook)
        self.assertTrue(reference[0] and reference[1] and reference[2])
        self.assertEqual(self.comparable(by_file), reference)
        self.assertEqual(self.comparable(by_pull), reference)
        # The same transactions by another way are duplicates of the first.
        again = self.import_file(by_webhook, self.world.to_json(), "eod.json")
        self.assertEqual(again.received_count, 0)
        self.assertEqual(again.duplicate_count, len(self.world.records))

    def test_file_bad_rows_reported_by_line_good_rows_kept(self):
        lines = self.world.to_csv().decode().splitlines()
        header = lines[0].split(",")
        amount_col, type_col = header.index("amount"), header.index("row_type")
        referenced = {
            t.get("original_transaction_id") for t in self.world.transactions
        }  # a sale some return or void points at would make them wait: pick another
        txn_col = header.index("transaction_id")
        bad_tender = next(
            n
            for n, line in enumerate(lines)
            if line.split(",")[type_col] == "tender" and line.split(",")[txn_col] not in referenced
        )
        cells = lines[bad_tender].split(",")
        broken_txn = cells[header.index("transaction_id")]
        cells[amount_col] = "12;50"
        lines[bad_tender] = ",".join(cells)
        lines.append("bogus," + "," * (len(header) - 2))
        wizard = self.import_file(self.backend, ("\n".join(lines) + "\n").encode(), "eod.csv")
        # Line numbers are the file's (header = line 1).
        self.assertIn(
            f"line {bad_tender + 1}: amount '12;50' is not a decimal number", wizard.report
        )
        self.assertIn(f"line {len(lines)}: unknown row_type 'bogus'", wizard.report)
        self.assertEqual(wizard.rejected_count, 2)
        # Every other record went through; the rejected rows wait as failed events.
        self.assertEqual(wizard.received_count, len(self.world.records) - 1 + 2)
        rejected = self.events(topic="pos.file_rows")
        self.assertEqual(len(rejected), 2)
        self.assertEqual(set(rejected.mapped("state")), {"failed"})
        kept = [json.loads(e.payload) for e in rejected]
        self.assertTrue(
            any(row.get("transaction_id") == broken_txn for p in kept for row in p["rows"])
        )
        events = self.events(topic="pos.transaction") | self.events(topic="pos.z_report")
        events._process_job()
        self.assert_all_done(events)
        self.assertFalse(
            self.env["omni.order"].search(
                [("backend_id", "=", self.backend.id), ("external_id", "=", broken_txn)]
            )
        )
        # A retried rejected row still fails with its line numbers: never silently done.
        rejected.action_retry()
        rejected._process_job()
        self.assertEqual(set(rejected.mapped("state")), {"failed"})
        self.assertIn("line", rejected[0].error_message)

    def test_json_file_with_an_invalid_record(self):
        records = list(self.world.records[:3]) + [{"record_type": "transaction", "kind": "sale"}]
        wizard = self.import_file(self.backend, json.dumps(records).encode(), "eod.json")
        self.assertIn("record 4", wizard.report)
        self.assertEqual(wizard.received_count, 4)
        events = self.events()
        events._process_job()
        invalid = events.filtered(lambda e: e.topic == "pos.invalid")
        self.assertEqual(invalid.state, "failed")
        self.assertEqual(invalid.error_class, "payload")
        self.assert_all_done(events - invalid)
