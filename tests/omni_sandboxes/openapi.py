"""Validate JSON objects against the schemas of an OpenAPI 3.0 document (Stripe's spec3).

OpenAPI 3.0 schemas are not JSON Schema; they are translated on the fly:

- ``nullable: true`` allows ``null`` (added to ``type``, to ``enum``, or as an ``anyOf`` branch);
- ``$ref: "#/components/schemas/x"`` points into a ``$defs`` map held in a
  :mod:`referencing` registry, so each schema is converted once and shared;
- ``anyOf`` / ``oneOf`` / ``allOf`` / ``items`` / ``properties`` / ``additionalProperties`` are
  kept as given (Stripe's spec leaves ``additionalProperties`` open unless it says otherwise);
- ``x-*`` vendor keys and documentation keys are dropped, except ``x-stripeBypassValidation``:
  Stripe marks enums that may grow with it, so such an enum is not enforced (the value must
  still have the declared type);
- ``format`` is annotation only (``unix-time`` etc. are not checked).
"""

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE_URI = "urn:omni:openapi"
_REF_PREFIX = "#/components/schemas/"

# Keys copied through unchanged (values are not schemas).
_PLAIN_KEYS = {
    "type",
    "enum",
    "required",
    "maxLength",
    "minLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
    "minProperties",
    "maxProperties",
    "format",
}
# Keys whose value is a schema.
_SCHEMA_KEYS = {"items", "not"}
# Keys whose value is a list of schemas.
_LIST_KEYS = {"anyOf", "oneOf", "allOf"}


def convert_schema(node):
    """Translate one OpenAPI 3.0 schema object into a JSON Schema (draft 2020-12) object."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith(_REF_PREFIX):
            raise ValueError(f"unsupported $ref {ref!r}")
        out = {"$ref": f"{BASE_URI}#/$defs/{ref[len(_REF_PREFIX) :]}"}
    else:
        out = {}
        for key, value in node.items():
            if key in _PLAIN_KEYS:
                out[key] = value
            elif key in _SCHEMA_KEYS:
                out[key] = convert_schema(value)
            elif key in _LIST_KEYS:
                out[key] = [convert_schema(v) for v in value]
            elif key == "properties":
                out[key] = {name: convert_schema(sub) for name, sub in value.items()}
            elif key == "additionalProperties":
                out[key] = value if isinstance(value, bool) else convert_schema(value)
            # nullable, description, title, x-* and anything else: handled below or dropped
        if node.get("x-stripeBypassValidation") and "enum" in out:
            del out["enum"]
    if node.get("nullable"):
        out = _allow_null(out)
    return out


def _allow_null(out):
    if "$ref" in out:
        return {"anyOf": [out, {"type": "null"}]}
    if "anyOf" in out or "oneOf" in out:
        key = "anyOf" if "anyOf" in out else "oneOf"
        out[key] = [*out[key], {"type": "null"}]
        if "type" in out:
            out["type"] = _with_null_type(out["type"])
        return out
    if "type" in out:
        out["type"] = _with_null_type(out["type"])
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


def _with_null_type(type_):
    types = [type_] if isinstance(type_, str) else list(type_)
    return types if "null" in types else [*types, "null"]


class StripeSchemaValidator:
    """Validate objects against ``components/schemas/<name>`` of an OpenAPI 3.0 document.

    ``spec`` is the parsed document (e.g. :func:`refdata.load_stripe_spec`). All component
    schemas are converted once at construction; validators per name are cached.
    """

    def __init__(self, spec):
        schemas = spec["components"]["schemas"]
        self.schema_names = frozenset(schemas)
        root = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": BASE_URI,
            "$defs": {name: convert_schema(sub) for name, sub in schemas.items()},
        }
        self.root = root
        self.registry = Registry().with_resource(
            BASE_URI, Resource.from_contents(root, default_specification=DRAFT202012)
        )
        self._validators = {}

    def json_schema(self, schema_name):
        """The converted JSON Schema for ``schema_name`` (refs point into :attr:`registry`)."""
        if schema_name not in self.schema_names:
            raise KeyError(f"no schema {schema_name!r} in components/schemas")
        return self.root["$defs"][schema_name]

    def validator(self, schema_name):
        if schema_name not in self._validators:
            self.json_schema(schema_name)  # KeyError for unknown names
            self._validators[schema_name] = jsonschema.Draft202012Validator(
                {"$ref": f"{BASE_URI}#/$defs/{schema_name}"}, registry=self.registry
            )
        return self._validators[schema_name]

    def iter_errors(self, obj, schema_name):
        return self.validator(schema_name).iter_errors(obj)

    def is_valid(self, obj, schema_name):
        return self.validator(schema_name).is_valid(obj)

    def validate(self, obj, schema_name):
        """Raise :class:`jsonschema.ValidationError` (message starts with the JSON path of the
        offending value, e.g. ``charge $.refunds.data[0].amount: ...``) if ``obj`` does not fit
        ``components/schemas/<schema_name>``."""
        errors = list(self.iter_errors(obj, schema_name))
        if not errors:
            return
        # the most relevant top-level error (best_match would also pick a sub-error, often
        # from the wrong anyOf branch), explained by _most_relevant below
        error = max(errors, key=jsonschema.exceptions.relevance)
        leaf = _most_relevant(error)
        if leaf is not error:
            message = (
                f"{schema_name} {leaf.json_path}: {_short(leaf.message)} (so {error.json_path} "
                f"matches none of its {error.validator} alternatives)"
            )
        else:
            message = f"{schema_name} {error.json_path}: {_short(error.message)}"
        raise jsonschema.ValidationError(
            message,
            validator=leaf.validator,
            path=leaf.absolute_path,
            schema_path=leaf.absolute_schema_path,
            instance=leaf.instance,
            validator_value=leaf.validator_value,
        )


def _most_relevant(error):
    """Follow ``anyOf``/``oneOf`` sub-errors down to one leaf: the branch whose ``$ref`` names
    the instance's ``object`` (an expanded charge is explained as a charge), else the deepest."""
    while error.context:
        candidates = list(error.context)
        instance, branches = error.instance, error.validator_value
        if isinstance(instance, dict) and isinstance(branches, list):
            wanted = f"#/$defs/{instance.get('object')}"
            for index, branch in enumerate(branches):
                if isinstance(branch, dict) and branch.get("$ref", "").endswith(wanted):
                    same = [e for e in candidates if e.relative_schema_path[0] == index]
                    candidates = same or candidates
                    break
        error = max(candidates, key=lambda e: len(e.absolute_path))
    return error


def _short(text, limit=300):
    return text if len(text) <= limit else text[: limit - 3] + "..."
