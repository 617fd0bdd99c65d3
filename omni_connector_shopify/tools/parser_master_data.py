"""Master data: Shopify products (as variant lists) and customers."""

from odoo.tools.translate import _lt

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.errors import PayloadError

from .shapes import GRAPHQL, _address, _name, _nodes, _required, gid_tail, rest_id


def _variant(external_id, variant, product_title):
    """One variant as the product matching reads it: {external_id, sku, barcode, name}."""
    title = variant.get("title") or ""
    return {
        "external_id": external_id,
        "sku": (variant.get("sku") or "").strip(),
        "barcode": (variant.get("barcode") or "").strip(),
        "name": " - ".join(p for p in (product_title or "", title) if p and p != "Default Title"),
    }


def parse_product_rest(data):
    """REST product (``products/update``) -> [{external_id, sku, barcode, name}] per variant."""
    product_id = rest_id(data, "product")
    variants = data.get("variants")
    if not isinstance(variants, list):
        raise PayloadError(_lt("product %(product_id)s: variants missing", product_id=product_id))
    return [
        _variant(rest_id(variant, f"product {product_id} variant"), variant, data.get("title"))
        for variant in variants
    ]


def parse_product_graphql(node):
    """GraphQL ``Product`` (as :data:`..queries.PRODUCTS_QUERY` selects it) -> the same variant
    list as :func:`parse_product_rest`."""
    product_id = gid_tail(_required(node, "id", "product"))
    return [
        _variant(
            gid_tail(_required(variant, "id", f"product {product_id} variant")),
            variant,
            node.get("title"),
        )
        for variant in _nodes(node.get("variants"), f"product {product_id} variants")
    ]


def parse_customer_graphql(node):
    """GraphQL ``Customer`` -> canonical.Customer (default address as billing and shipping)."""
    customer_id = gid_tail(_required(node, "id", "customer"))
    address = _address(GRAPHQL, node.get("defaultAddress"))
    return canonical.Customer(
        external_id=customer_id,
        email=(node.get("defaultEmailAddress") or {}).get("emailAddress") or "",
        phone=(node.get("defaultPhoneNumber") or {}).get("phoneNumber") or "",
        name=_name(node.get("firstName"), node.get("lastName")),
        billing_address=address,
        shipping_address=address,
    )
