"""Master data governance of the importer: customers, products, taxes, currencies and
pricelists. Each is found through its mapping first, then by its natural keys, and created
only where the backend allows it; whatever cannot be mapped is a MappingError naming it."""

import re
from dataclasses import dataclass

from odoo import _, models

from ..tools.errors import CurrencyError, MappingError


def normalize_email(email):
    return (email or "").strip().lower()


def normalize_phone(phone):
    """Digits only, international prefix 00 folded into +: '+33 6-12' == '0033612'."""
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("00"):
        digits = digits[2:]
    return digits


@dataclass(frozen=True)
class ProductRef:
    """What designates a product by its natural keys: SKU, else barcode (and what a created
    one is given)."""

    sku: str = ""
    barcode: str = ""
    name: str = ""
    list_price: float | None = None

    @property
    def key(self):
        return self.sku or self.barcode


class OmniImporter(models.AbstractModel):
    _inherit = "omni.importer"  # pylint: disable=consider-merging-classes-inherited

    def _match_partner(self, backend, customer):
        """mapping -> normalized email -> normalized phone -> create if allowed -> error."""
        if not customer or not (customer.external_id or customer.email or customer.phone):
            if backend.default_partner_id:
                return backend.default_partner_id
            raise MappingError(
                _(
                    "The order has no customer and backend %(backend)s has no walk-in customer.",
                    backend=backend.name,
                ),
                "customer",
            )
        Binding = self.env["omni.external.id"]
        batch = self._batch()
        key = (backend.id, "customer", customer.external_id)
        if batch and key in batch.bound:
            return batch.bound[key]
        partner = Binding._lookup(backend, "customer", [customer.external_id]).get(
            customer.external_id
        )
        if partner and partner.exists():
            if batch:
                batch.bound[key] = partner
            return partner
        company_domain = [("company_id", "in", [False, backend.company_id.id])]
        Partner = self.env["res.partner"].with_context(active_test=False)
        partner = Partner.browse()
        email = normalize_email(customer.email)
        if email:
            partner = Partner.search(
                company_domain + [("email_normalized", "=", email)], order="id", limit=1
            )
        phone = normalize_phone(customer.phone)
        if not partner and backend.match_customers_by_phone and len(phone) >= 6:
            self.env["res.partner"].flush_model(["phone", "mobile", "company_id"])
            self.env.cr.execute(
                """
                SELECT id FROM res_partner
                 WHERE (company_id IS NULL OR company_id = %s)
                   AND %s IN (regexp_replace(regexp_replace(coalesce(phone, ''), '^\\s*00', ''),
                                             '\\D', '', 'g'),
                              regexp_replace(regexp_replace(coalesce(mobile, ''), '^\\s*00', ''),
                                             '\\D', '', 'g'))
              ORDER BY id LIMIT 1
                """,
                [backend.company_id.id, phone],
            )
            row = self.env.cr.fetchone()
            partner = Partner.browse(row[0]) if row else partner
        if not partner:
            if not backend.create_customers:
                raise MappingError(
                    _(
                        "Customer %(ref)s (%(email)s) matches no contact and backend %(backend)s "
                        "may not create customers.",
                        ref=customer.external_id,
                        email=customer.email or customer.phone or "-",
                        backend=backend.name,
                    ),
                    "customer",
                    customer.external_id,
                )
            partner = self.env["res.partner"].create(self._partner_vals(customer, backend))
        Binding._bind(backend, "customer", customer.external_id, partner)
        if batch and customer.external_id:
            batch.bound[key] = partner
        return partner

    def _partner_vals(self, customer, backend):
        """A new contact for the customer. An app without access to protected customer data
        gets neither name, email nor phone: the contact is named after its address, else
        after its channel id, never left without a name."""
        billing, shipping = customer.billing_address, customer.shipping_address
        vals = {
            "name": customer.name
            or (billing and billing.name)
            or customer.email
            or customer.phone
            or (shipping and shipping.name)
            or _(
                "%(channel)s customer %(ref)s",
                channel=backend._fields["channel"].convert_to_export(backend.channel, backend),
                ref=customer.external_id,
            ),
            "email": customer.email or False,
            "phone": customer.phone or False,
            "customer_rank": 1,
        }
        if billing:
            vals.update(self._address_vals(billing))
        return vals

    def _address_vals(self, address):
        country = (
            self.env["res.country"].search(
                [("code", "=", (address.country_code or "").upper())], limit=1
            )
            if address.country_code
            else self.env["res.country"]
        )
        state = (
            self.env["res.country.state"].search(
                [("country_id", "=", country.id), ("code", "=", address.state_code)], limit=1
            )
            if country and address.state_code
            else self.env["res.country.state"]
        )
        return {
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
        }

    def _shipping_partner(self, partner, customer):
        address = customer and customer.shipping_address
        if not address or address == customer.billing_address:
            return partner
        vals = self._address_vals(address)
        existing = partner.child_ids.filtered(
            lambda c: (
                c.type == "delivery"
                and (c.street or False, c.zip or False, c.city or False)
                == (vals["street"], vals["zip"], vals["city"])
            )
        )[:1]
        return existing or self.env["res.partner"].create(
            {
                **vals,
                "parent_id": partner.id,
                "type": "delivery",
                "name": address.name or partner.name,
                "phone": address.phone or False,
            }
        )

    def _match_products(self, backend, lines):
        """{line: product}; mapping -> SKU -> barcode -> create if allowed. Every unknown or
        ambiguous product is named in one MappingError."""
        service_products = {
            "shipping": backend.shipping_product_id,
            "tip": backend.adjustment_product_id,
            "duty": backend.adjustment_product_id,
            "adjustment": backend.adjustment_product_id,
        }
        product_lines = [line for line in lines if line.line_type == "product"]
        bound = self._bound_products(
            backend,
            {line.product_external_id for line in product_lines if line.product_external_id},
        )
        # only the lines no mapping answers for are matched by SKU and barcode
        refs = {
            line: ProductRef(line.sku, line.barcode, line.name, float(line.price_unit))
            for line in product_lines
            if line.product_external_id not in bound
        }
        found, ambiguous = self._products_by_code(backend, refs.values())
        result, problems, to_create = {}, [], []
        for line in lines:
            if line.line_type != "product":
                product = service_products.get(line.line_type)
                if not product:
                    problems.append(
                        _("no %(type)s product configured on the backend", type=line.line_type)
                    )
                result[line] = product
                continue
            if line.product_external_id in bound:
                result[line] = bound[line.product_external_id]
                continue
            ref = refs[line]
            if ref in ambiguous:
                problems.append(ambiguous[ref])
            elif ref in found:
                result[line] = found[ref]
            elif backend.create_products and ref.key:
                to_create.append(line)
            else:
                problems.append(
                    _(
                        "unknown product %(name)r (SKU %(sku)s, barcode %(barcode)s)",
                        name=line.name,
                        sku=line.sku or "-",
                        barcode=line.barcode or "-",
                    )
                )
        if problems:
            raise MappingError(
                _("Cannot map the order's products: %(problems)s.", problems="; ".join(problems)),
                "product",
            )
        created = self._create_products([refs[line] for line in to_create])
        for line in to_create:
            result[line] = created[refs[line]]
        for line in refs:
            self._bind_product(backend, line.product_external_id, result[line])
        return result

    def _products_by_code(self, backend, refs):
        """The one SKU -> barcode lookup of products: ({ref: product} of the refs found,
        {ref: problem} of those whose SKU several products share), in two queries."""
        refs = list(refs)
        Product = self.env["product.product"].with_context(active_test=False)
        company_domain = [("company_id", "in", [False, backend.company_id.id])]
        skus = {ref.sku for ref in refs if ref.sku}
        barcodes = {ref.barcode for ref in refs if ref.barcode}
        by_sku, by_barcode = {}, {}
        if skus:
            for product in Product.search(company_domain + [("default_code", "in", list(skus))]):
                by_sku.setdefault(product.default_code, Product.browse())
                by_sku[product.default_code] |= product
        if barcodes:
            for product in Product.search(company_domain + [("barcode", "in", list(barcodes))]):
                by_barcode.setdefault(product.barcode, product)
        found, ambiguous = {}, {}
        for ref in refs:
            products = by_sku.get(ref.sku) if ref.sku else None
            if products and len(products) > 1:
                ambiguous[ref] = _("SKU %(sku)s is used by several products", sku=ref.sku)
            elif products:
                found[ref] = products
            elif ref.barcode in by_barcode:
                found[ref] = by_barcode[ref.barcode]
        return found, ambiguous

    def _create_products(self, refs):
        """Create the products of refs no product answers for (one per SKU, else barcode):
        {ref: product}."""
        created, result = {}, {}
        for ref in refs:
            if ref.key not in created:
                vals = {
                    "name": ref.name or ref.key,
                    "default_code": ref.sku or False,
                    "barcode": ref.barcode or False,
                    "detailed_type": "product",
                    "company_id": False,
                }
                if ref.list_price is not None:
                    vals["list_price"] = ref.list_price
                created[ref.key] = self.env["product.product"].create(vals)
            result[ref] = created[ref.key]
        return result

    def _bind_product(self, backend, external_id, product):
        self.env["omni.external.id"]._bind(backend, "product", external_id, product)
        batch = self._batch()
        if batch and external_id:
            batch.bound[(backend.id, "product", external_id)] = product

    def _bound_products(self, backend, external_ids):
        """{external id: product} of the bound ones; in a batch, what was found before is
        not asked again."""
        batch = self._batch()
        if not batch:
            return self.env["omni.external.id"]._lookup(backend, "product", external_ids)
        result, missing = {}, []
        for external_id in external_ids:
            product = batch.bound.get((backend.id, "product", external_id))
            if product:
                result[external_id] = product
            else:
                missing.append(external_id)
        if missing:
            found = self.env["omni.external.id"]._lookup(backend, "product", missing)
            for external_id, product in found.items():
                batch.bound[(backend.id, "product", external_id)] = product
            result.update(found)
        return result

    def _map_taxes(self, backend, line, taxes_included):
        taxes = self.env["account.tax"]
        for tax_line in line.taxes:
            mapping = self.env["omni.tax.map"]._find(backend, tax_line.title, tax_line.rate)
            if not mapping:
                raise MappingError(
                    _(
                        "Tax %(title)s at %(rate)s%% has no tax mapping on backend %(backend)s.",
                        title=tax_line.title,
                        rate=tax_line.rate * 100,
                        backend=backend.name,
                    ),
                    "tax",
                    tax_line.title,
                )
            if mapping.tax_id.price_include != taxes_included:
                raise MappingError(
                    _(
                        "Tax %(title)s is mapped to %(tax)s, which is %(incl)s, but the order's "
                        "prices are %(order_incl)s.",
                        title=tax_line.title,
                        tax=mapping.tax_id.display_name,
                        incl=_("tax-included")
                        if mapping.tax_id.price_include
                        else _("tax-excluded"),
                        order_incl=_("tax-included") if taxes_included else _("tax-excluded"),
                    ),
                    "tax",
                    tax_line.title,
                )
            taxes |= mapping.tax_id
        return taxes

    # ------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------

    def _currency(self, code):
        batch = self._batch()
        name = (code or "").upper()
        currency = batch.currencies.get(name) if batch else None
        if currency is None:
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", name)], limit=1)
            )
            if batch:
                batch.currencies[name] = currency
        if not currency:
            raise CurrencyError(_("Unknown currency %(code)r.", code=code))
        if not currency.active:
            raise CurrencyError(
                _("Currency %(code)s is not active in this database.", code=currency.name)
            )
        return currency

    def _pricelist(self, backend, currency):
        if backend.pricelist_id.currency_id == currency:
            return backend.pricelist_id
        pricelist = self.env["product.pricelist"].search(
            [
                ("currency_id", "=", currency.id),
                ("company_id", "in", [False, backend.company_id.id]),
            ],
            limit=1,
        )
        if not pricelist:
            raise CurrencyError(
                _(
                    "No pricelist in %(currency)s for backend %(backend)s: create one or map the "
                    "backend's pricelist.",
                    currency=currency.name,
                    backend=backend.name,
                )
            )
        return pricelist

    def _check_currency(self, sale_order, currency):
        if sale_order.currency_id != currency:
            raise CurrencyError(
                _(
                    "Sale order currency %(so)s does not match the channel currency %(ch)s.",
                    so=sale_order.currency_id.name,
                    ch=currency.name,
                )
            )
