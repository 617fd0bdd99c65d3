from odoo import _, models

from odoo.addons.queue_job.exception import RetryableJobError

from odoo.addons.omni_connector_base.tools.errors import MappingError, PayloadError

from ..const import (
    BULK_TOPIC,
    DISPUTE_TOPICS,
    REFUND_TOPIC,
    RETURN_POLL_TOPIC,
    RETURN_TOPICS,
    TRANSACTION_TOPIC,
    WAIT_FOR_ORDER,
)
from ..tools import queries
from ..tools.parser import parse_order_graphql, parse_order_rest, parse_refund_rest
from ..tools.parser_returns import order_return_status, parse_return_graphql, return_gid_of_webhook
from ..tools.shapes import gid_tail, order_ref

# The webhooks that wait for their order when they arrive first.
WAITING_TOPICS = (REFUND_TOPIC, *RETURN_TOPICS, TRANSACTION_TOPIC, *DISPUTE_TOPICS)


class OmniBackend(models.Model):
    """Orders of a Shopify shop, their refunds and their returns, as events bring them."""

    _inherit = "omni.backend"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------------------------
    # Orders
    # ------------------------------------------------------------------------------------

    def _shopify_handle_order_node(self, event, data):
        """An order node of the pull or of the bulk backfill (GraphQL), with its transactions."""
        limit = (
            queries.BULK_REFUNDS_LIMIT
            if event.topic == BULK_TOPIC
            else (queries.ORDER_REFUNDS_LIMIT)
        )
        if len(data.get("refunds") or []) >= limit:
            raise PayloadError(
                _(
                    "order %(order)s has %(limit)s refunds or more: the pull reads no more "
                    "than that, import it from its webhooks",
                    order=event.external_id,
                    limit=limit,
                )
            )
        return self._shopify_import_order(parse_order_graphql(data), data)

    def _shopify_handle_order_rest(self, event, data):
        """orders/* webhooks (REST); their transactions come by order_transactions/create."""
        return self._shopify_import_order(parse_order_rest(data), data)

    def _shopify_import_order(self, order, data):
        """The order (the importer refuses a stale or unchanged version), then its returns,
        each imported by a job of its own."""
        links = self.env["omni.importer"].import_order(self, order)
        omni_order = self.env["omni.order"].browse(links.get("omni_order_id"))
        self._shopify_enqueue_order_returns(omni_order, data)
        self._shopify_wake_waiting(omni_order)
        return links

    def _shopify_wake_waiting(self, omni_order):
        """The refunds, returns, transactions and disputes that arrived before this order and
        wait for it are processed now rather than at their next attempt."""
        if not omni_order:
            return
        waiting = (
            self.env["omni.event"]
            .sudo()
            .search(
                [
                    ("backend_id", "=", self.id),
                    ("state", "=", "waiting"),
                    ("topic", "in", WAITING_TOPICS),
                    ("payload", "ilike", omni_order.external_id),
                ]
            )
        )
        waiting = waiting.filtered(
            lambda event: self._shopify_awaited_order(event) == omni_order.external_id
        )
        waiting._process_soon()

    def _shopify_awaited_order(self, event):
        """The id of the order a refund, return, transaction or dispute webhook is about (""
        when unreadable)."""
        try:
            data = event._payload_json()
            if event.topic == REFUND_TOPIC:
                return order_ref(data, "refund", required=True)
            if event.topic == TRANSACTION_TOPIC or event.topic in DISPUTE_TOPICS:
                return order_ref(data, event.topic)
            return order_ref(data, "return")
        except (PayloadError, ValueError):
            return ""

    def _shopify_wait_for_order(self, order_id, record):
        """A record (``record``: its kind and name) of an order not imported yet waits for
        it: retried (the order's import brings the retry forward), dead-lettered with an
        activity once the backend's attempts are spent."""
        if order_id and not self.env["omni.order"]._find(self, order_id):
            raise RetryableJobError(
                _(
                    "%(record)s: order %(order)s is not imported yet.",
                    record=record,
                    order=order_id,
                ),
                seconds=WAIT_FOR_ORDER,
            )

    def _shopify_handle_order_edit(self, event, data):
        self._shopify_enqueue("_shopify_pull_orders")
        return {"result_note": _("Order edited: the order is read again by the next pull.")}

    def _shopify_handle_refund(self, event, data):
        """refunds/create. A refund cannot be applied without its order: one that arrives
        first waits for it (the order's import wakes it), then is dead-lettered."""
        order_id = order_ref(data, "refund", required=True)
        self._shopify_wait_for_order(order_id, _("Refund %(refund)s", refund=event.external_id))
        omni_order = self.env["omni.order"]._find(self, order_id)
        refund = parse_refund_rest(data, order_id, taxes_included=omni_order.taxes_included)
        return {"omni_order_id": self.env["omni.importer"].import_refund(self, refund).id}

    # ------------------------------------------------------------------------------------
    # Returns
    # ------------------------------------------------------------------------------------

    def _shopify_enqueue_order_returns(self, omni_order, data):
        """An order that has returns (its ``returnStatus``), or had some in Odoo (a declined
        request leaves the order without return status): read its returns and store each as
        an event of its own (``returns/graphql``, one per return and content), processed by
        its own job once the order's is committed, so that a return that cannot be imported
        fails visibly on its own without holding its order back. Unchanged returns are
        known events: skipped."""
        if not omni_order or not (order_return_status(data) or omni_order.return_ids):
            return
        node = (
            self._shopify_adapter()
            .execute(
                queries.ORDER_RETURNS_QUERY, {"id": f"gid://shopify/Order/{omni_order.external_id}"}
            )
            .get("order")
        )
        returns = (node or {}).get("returns") or {}
        if (returns.get("pageInfo") or {}).get("hasNextPage"):
            raise PayloadError(
                _(
                    "order %(order)s has more returns than the connector reads at once: import "
                    "them from their returns/* webhooks",
                    order=omni_order.external_id,
                )
            )
        vals_list = []
        for return_node in returns.get("nodes") or []:
            # the order's id, in case the node does not repeat it
            return_node = {**return_node, "order": {"id": node["id"]}}
            external_id = gid_tail(return_node.get("id"))
            if not external_id:
                raise PayloadError(
                    _("order %(order)s: a return without id", order=omni_order.external_id)
                )
            vals = self._omni_event_vals(RETURN_POLL_TOPIC, return_node, external_id)
            vals_list.append({**vals, "omni_order_id": omni_order.id})
        new, __ = self.env["omni.event"]._receive(self, vals_list, source="poll")
        new._enqueue()

    def _shopify_handle_return_webhook(self, event, data):
        """returns/*: the webhook body is not trusted for the return, it is read again."""
        return_gid = return_gid_of_webhook(data)
        node = self._shopify_adapter().execute(queries.RETURN_QUERY, {"id": return_gid})
        if not node.get("return"):
            raise MappingError(
                _("The shop does not know return %(return_gid)s.", return_gid=return_gid),
                "return",
                return_gid,
            )
        return self._shopify_import_return(event, node["return"])

    def _shopify_handle_return_node(self, event, data):
        return self._shopify_import_return(event, data)

    def _shopify_import_return(self, event, node):
        """A return as the shop shows it now. One whose order is not imported yet waits for
        it, then is dead-lettered naming the order."""
        for field in ("returnLineItems", "exchangeLineItems"):
            if (((node or {}).get(field) or {}).get("pageInfo") or {}).get("hasNextPage"):
                raise PayloadError(
                    _(
                        "return %(ret)s has more %(field)s than the connector reads: it is "
                        "not imported in part",
                        ret=node.get("name") or node.get("id"),
                        field=field,
                    )
                )
        ret = parse_return_graphql(node)
        if event:
            self._shopify_wait_for_order(
                ret.order_external_id,
                _("Return %(ret)s (%(name)s)", ret=ret.external_id, name=ret.name),
            )
        omni_order = self.env["omni.order"]._find(self, ret.order_external_id)
        record = self.env["omni.importer"].import_return(self, ret, omni_order=omni_order or None)
        links = {"omni_order_id": record.omni_order_id.id}
        if record.sync_note:
            links["result_note"] = record.sync_note
        return links
