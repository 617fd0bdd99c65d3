from odoo import _, models

from ..const import WEBHOOK_TOPICS
from ..tools import queries


class OmniBackend(models.Model):
    """The shop's webhook subscriptions to this backend's URL."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    def action_shopify_register_webhooks(self):
        self._omni_check_manager()
        return self._shopify_enqueue("_shopify_sync_webhooks")

    def _shopify_sync_webhooks(self):
        """Job: subscribe this backend's webhook URL to every topic of WEBHOOK_TOPICS that is
        not subscribed yet (other subscriptions of the shop are left alone); the outcome is
        kept on the backend."""
        self.ensure_one()
        uri = self.webhook_url
        adapter = self._shopify_adapter()
        existing = {
            sub["topic"]
            for sub in self._shopify_pages(
                adapter,
                queries.WEBHOOK_SUBSCRIPTIONS_QUERY,
                ("webhookSubscriptions",),
                {"uri": uri},
            )
            if sub.get("uri") == uri
        }
        created, present, failed = [], [], []
        for topic in WEBHOOK_TOPICS:
            enum = topic.upper().replace("/", "_")
            if enum in existing:
                present.append(topic)
                continue
            result = adapter.execute(
                queries.WEBHOOK_CREATE_QUERY,
                {"topic": enum, "subscription": {"uri": uri, "format": "JSON"}},
            )["webhookSubscriptionCreate"]
            errors = result.get("userErrors") or []
            if errors or not result.get("webhookSubscription"):
                failed.append(f"{topic}: " + "; ".join(str(e.get("message")) for e in errors))
            else:
                created.append(topic)
        status = _(
            "%(uri)s: %(created)s subscribed now, %(present)s already subscribed, "
            "%(failed)s refused.",
            uri=uri,
            created=len(created),
            present=len(present),
            failed=len(failed),
        )
        if failed:
            status += "\n" + "\n".join(failed)
        self.shopify_webhook_status = status
        return status
