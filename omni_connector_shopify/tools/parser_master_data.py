"""Master data: Shopify products (as variant lists) and customers."""

from odoo.addons.omni_connector_base.tools import canonical
from odoo.addons.omni_connector_base.tools.errors import PayloadError

from .shapes import GRAPHQL, _address, _name, _nodes, _required, gid_tail, rest_id


def parse_product_rest(data):
    """REST product (``products/update``) -> [{external_id, sku, barcode, name}] per variant."""
    product_id = rest_id(data, "product")
    variants = data.get("variants")
    if not isinstance(variants, list):
        raise PayloadError(f"product {product_id}: variants missing")
    result = []
    for variant in variants:
        variant_id = rest_id(variant, f"product {product_id} variant")
        title = variant.get("title") or ""
        result.append(
            {
                "external_id": variant_id,
                "sku": (variant.get("sku") or "").strip(),
                "barcode": (variant.get("barcode") or "").strip(),
                "name": " - ".join(
                    p for p in (data.get("title") or "", title) if p and p != "Default Title"
                ),
            }
        )
    return result


def parse_product_graphql(node):
    """GraphQL ``Product`` (as :data:`..queries.PRODUCTS_QUERY` selects it) -> the same variant
    list as :func:`parse_product_rest`."""
    product_id = gid_tail(_required(node, "id", "product"))
    result = []
    for variant in _nodes(node.get("variants"), f"product {product_id} variants"):
        title = variant.get("title") or ""
        result.append(
            {
                "external_id": gid_tail(_required(variant, "id", f"product {product_id} variant")),
                "sku": (variant.get("sku") or "").strip(),
                "barcode": (variant.get("barcode") or "").strip(),
                "name": " - ".join(
                    p for p in (node.get("title") or "", title) if p and p != "Default Title"
                ),
            }
        )
    return result


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
