"""The two JSON shapes of a Shopify record, read the same way by every parser.

Webhooks send REST JSON (snake_case keys, ``<field>_set`` money sets), the pulls GraphQL nodes
(camelCase keys, ``<field>Set`` money bags, connections). ``REST`` and ``GRAPHQL`` read a field
of either shape; the helpers below are shared by the parsers of orders, returns, payouts and
master data.
"""

from decimal import Decimal

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.errors import PayloadError
from odoo.addons.omni_connector_base.tools.money import to_decimal

ZERO = Decimal("0")
GID_PREFIX = "gid://shopify/"


def _required(data, key, where):
    if not isinstance(data, dict) or data.get(key) in (None, ""):
        raise PayloadError(_lt("%(where)s: missing %(key)r", where=where, key=key))
    return data[key]


def gid_tail(value, where="id"):
    """``gid://shopify/Order/123`` -> ``"123"``; a plain numeric id is returned as a string,
    no id as ``""``. Anything else (``gid://shopify/Order/``, ``"abc"``, an object) is a
    PayloadError: it must never become an empty or made-up external id."""
    if value in (None, ""):
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str):
        if value.isdigit():
            return value
        kind, __, tail = value.removeprefix(GID_PREFIX).partition("/")
        if value.startswith(GID_PREFIX) and kind and tail and "/" not in tail:
            if tail.partition("?")[0]:
                return tail
    raise PayloadError(_lt("%(where)s: %(value)r is not a Shopify id", where=where, value=value))


def gid_kind(value):
    """``gid://shopify/Order/123`` -> ``"Order"``; ``""`` for a plain or no id."""
    if isinstance(value, str) and value.startswith(GID_PREFIX):
        return value.removeprefix(GID_PREFIX).partition("/")[0]
    return ""


def rest_id(data, where="record"):
    """The exact id of a REST record: from ``admin_graphql_api_id`` when present."""
    if isinstance(data, dict) and data.get("admin_graphql_api_id"):
        return gid_tail(data["admin_graphql_api_id"], where)
    return gid_tail(_required(data, "id", where), where)


def order_ref(data, where, required=False):
    """The id of the order a REST refund, transaction or dispute is about: its order's
    GraphQL id when the payload carries one (``order.admin_graphql_api_id``, an ``order.id``
    or ``order_id`` GID), else the numeric ``order_id``. A GID of another type is refused."""
    order = data.get("order") if isinstance(data, dict) else None
    if isinstance(order, dict):
        value = order.get("admin_graphql_api_id") or order.get("id")
    else:
        value = data.get("order_id") if isinstance(data, dict) else None
    if value in (None, "") and required:
        return gid_tail(_required(data, "order_id", where), where)
    if gid_kind(value) not in ("", "Order"):
        raise PayloadError(
            _lt("%(where)s: %(value)r is not the id of an order", where=where, value=value)
        )
    return gid_tail(value, f"{where} order")


def _rate(value, what):
    """Tax rates are JSON numbers (not money): read them through their shortest repr."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        value = repr(value)
    return to_decimal(value, what).normalize()


def _rest_money(money_set, what, fallback=None):
    """(shop amount, presentment amount, shop currency, presentment currency) of a REST set."""
    if isinstance(money_set, dict) and money_set.get("shop_money"):
        shop = money_set["shop_money"]
        pres = money_set.get("presentment_money") or shop
        return (
            to_decimal(shop.get("amount"), what),
            to_decimal(pres.get("amount"), what),
            shop.get("currency_code") or shop.get("currency") or "",
            pres.get("currency_code") or pres.get("currency") or "",
        )
    if fallback is not None:
        amount = to_decimal(fallback, what)
        return amount, amount, "", ""
    return ZERO, ZERO, "", ""


def _gql_money(bag, what):
    if not isinstance(bag, dict) or not bag.get("shopMoney"):
        return ZERO, ZERO, "", ""
    shop = bag["shopMoney"]
    pres = bag.get("presentmentMoney") or shop
    return (
        to_decimal(shop.get("amount"), what),
        to_decimal(pres.get("amount"), what),
        shop.get("currencyCode") or "",
        pres.get("currencyCode") or "",
    )


def _nodes(connection, where=""):
    """Items of a GraphQL connection (``nodes`` or ``edges``) or of a plain list. A connection
    with more pages than fetched is refused: a truncated order must never be imported."""
    if connection is None:
        return []
    if isinstance(connection, list):
        return connection
    if not isinstance(connection, dict):
        raise PayloadError(
            _lt("%(where)s: expected a connection or a list", where=where or "connection")
        )
    if (connection.get("pageInfo") or {}).get("hasNextPage"):
        raise PayloadError(
            _lt("%(where)s: more items than one page holds", where=where or "connection")
        )
    if "nodes" in connection:
        return connection["nodes"] or []
    return [edge["node"] for edge in connection.get("edges") or []]


def _name(first, last):
    return " ".join(part for part in (first or "", last or "") if part).strip()


def _lower(value):
    return str(value).lower() if value else ""


# ------------------------------------------------------------------------------ the two shapes


def _camel(snake):
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


class _Rest:
    """REST JSON of webhooks: snake_case keys, ``<field>_set`` money sets (``shop_money``)
    with the bare ``<field>`` amount standing in when the set is absent, plain lists."""

    discount_field = "amount"
    country_key = "country_code"

    @staticmethod
    def key(snake):
        return snake

    @staticmethod
    def money(data, field, what):
        return _rest_money(data.get(f"{field}_set"), what, data.get(field))

    @staticmethod
    def items(data, field, where=""):
        return data.get(field) or []

    @staticmethod
    def refund_line_id(item, where):
        line_item = item.get("line_item") or {}
        if line_item.get("admin_graphql_api_id"):
            return gid_tail(line_item["admin_graphql_api_id"])
        return str(_required(item, "line_item_id", where))

    @staticmethod
    def address_name(data):
        return data.get("name") or _name(data.get("first_name"), data.get("last_name"))


class _Graphql:
    """GraphQL nodes: camelCase keys, ``<field>Set`` money bags (``shopMoney``), connections."""

    discount_field = "allocated_amount"
    country_key = "countryCodeV2"
    key = staticmethod(_camel)

    @staticmethod
    def money(data, field, what):
        return _gql_money(data.get(_camel(field) + "Set"), what)

    @staticmethod
    def items(data, field, where=""):
        return _nodes(data.get(_camel(field)), where)

    @staticmethod
    def refund_line_id(item, where):
        return gid_tail(_required(_required(item, "lineItem", where), "id", where))

    @staticmethod
    def address_name(data):
        return data.get("name") or ""


REST, GRAPHQL = _Rest(), _Graphql()


def _taxes(shape, tax_lines, where):
    taxes = []
    for tax in tax_lines or []:
        shop, pres, __, __ = shape.money(tax, "price", f"{where} tax")
        taxes.append(
            canonical.TaxLine(
                title=tax.get("title") or "",
                rate=_rate(tax.get("rate"), f"{where} tax rate"),
                amount=shop,
                amount_presentment=pres,
            )
        )
    return tuple(taxes)


def _discount(shape, allocations, where):
    return sum(
        (shape.money(a, shape.discount_field, f"{where} discount")[0] for a in allocations or []),
        ZERO,
    )


def _address(shape, data):
    if not data:
        return None
    return canonical.Address(
        name=shape.address_name(data),
        company=data.get("company") or "",
        street=data.get("address1") or "",
        street2=data.get("address2") or "",
        city=data.get("city") or "",
        zip=data.get("zip") or "",
        state_code=data.get(shape.key("province_code")) or "",
        country_code=data.get(shape.country_key) or "",
        phone=data.get("phone") or "",
    )
