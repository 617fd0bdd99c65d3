"""Shopify returns (GraphQL ``Return`` nodes, ``returns/*`` webhooks) -> canonical.Return."""

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.dates import parse_iso
from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import to_decimal

from .parser import _line_item_graphql
from .shapes import _nodes, _required, gid_tail

_RETURN_GID = "gid://shopify/Return/"


def order_return_status(data):
    """An order's return status when it has returns worth reading, else ``""``: GraphQL
    ``returnStatus`` other than ``NO_RETURN``; a REST order (which has no such field) with a
    non-empty ``returns`` list gives ``"RETURNS"``."""
    if not isinstance(data, dict):
        return ""
    if "returnStatus" in data:
        status = data.get("returnStatus") or ""
        return "" if status == "NO_RETURN" else str(status)
    return "RETURNS" if data.get("returns") else ""


def return_gid_of_webhook(data):
    """The GraphQL id of the return a ``returns/*`` webhook (REST shape) is about."""
    if not isinstance(data, dict):
        raise PayloadError(_lt("return: expected a JSON object"))
    if data.get("admin_graphql_api_id"):
        value = str(data["admin_graphql_api_id"])
    else:
        value = f"gid://shopify/Return/{_required(data, 'id', 'return')}"
    if not value.startswith(_RETURN_GID) or not value[len(_RETURN_GID) :].isdigit():
        raise PayloadError(_lt("return: %(value)r is not the id of a return", value=value))
    return value


def _reason(definition, where):
    """The name of a ``ReturnReasonDefinition`` (the merchant's or Shopify's reason)."""
    if definition is None:
        return ""
    if not isinstance(definition, dict):
        raise PayloadError(_lt("%(where)s: the return reason must be an object", where=where))
    return str(definition.get("name") or "")


def parse_return_graphql(node, order_id=None):
    """GraphQL ``Return`` node (``RETURN_FIELDS``) -> :class:`canonical.Return`.

    Exchange items are order line items of their own, read like the order's (their prices
    follow the order's tax convention, which the importer knows from the order)."""
    if not isinstance(node, dict):
        raise PayloadError(_lt("return: expected a JSON object"))
    return_id = gid_tail(_required(node, "id", "return"))
    where = f"return {return_id}"
    order_id = gid_tail(order_id) or gid_tail(
        _required(_required(node, "order", where), "id", f"{where} order")
    )
    lines = []
    for item in _nodes(node.get("returnLineItems"), f"{where} lines"):
        line_id = gid_tail(_required(item, "id", f"{where} line"))
        lw = f"{where} line {line_id}"
        fulfilment_line = _required(item, "fulfillmentLineItem", lw) or {}
        order_line = _required(fulfilment_line, "lineItem", lw) or {}
        quantity = to_decimal(_required(item, "quantity", lw), f"{lw} quantity")
        processed = to_decimal(item.get("processedQuantity") or 0, f"{lw} processed quantity")
        if quantity < 0 or processed < 0 or processed > quantity:
            raise PayloadError(
                _lt(
                    "%(line)s: processed quantity %(processed)s of %(quantity)s is not possible",
                    line=lw,
                    processed=processed,
                    quantity=quantity,
                )
            )
        lines.append(
            canonical.ReturnLine(
                external_id=line_id,
                order_line_external_id=gid_tail(_required(order_line, "id", lw)),
                quantity=quantity,
                processed_quantity=processed,
                reason=_reason(item.get("returnReasonDefinition"), lw),
                note=item.get("returnReasonNote") or item.get("customerNote") or "",
            )
        )
    exchange_lines = []
    for exchange in _nodes(node.get("exchangeLineItems"), f"{where} exchange items"):
        items = exchange.get("lineItems") if isinstance(exchange, dict) else ()
        if not isinstance(items, list) and items is not None:
            raise PayloadError(
                _lt("%(where)s: an exchange item must carry a list of line items", where=where)
            )
        for item in items or ():
            exchange_lines.append(_line_item_graphql(item, f"{where} exchange"))
    return canonical.Return(
        external_id=return_id,
        order_external_id=order_id,
        name=node.get("name") or return_id,
        status=str(_required(node, "status", where)).upper(),
        lines=tuple(lines),
        exchange_lines=tuple(exchange_lines),
        refund_external_ids=tuple(
            gid_tail(_required(refund, "id", f"{where} refund"))
            for refund in _nodes(node.get("refunds"), f"{where} refunds")
        ),
        created_at=parse_iso(node.get("createdAt"), f"{where} createdAt"),
        closed_at=parse_iso(node.get("closedAt"), f"{where} closedAt"),
    )
