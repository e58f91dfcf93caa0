"""The API's documentation page, drawn by a template from the OpenAPI schema itself:
a page in the site's look, with no script (the CSP allows none from elsewhere, and
Swagger UI or Redoc would need one)."""

from functools import cache

from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.settings import api_settings

from feminisation.cache import public_page
from indicators.enums import EventStatus
from indicators.models import VenueMonth
from indicators.views.exports import LICENCE, LICENCE_URL
from initiatives.models import ActionPlan
from territories.models import Territory

TYPES = {
    "integer": "entier",
    "number": "nombre",
    "string": "texte",
    "boolean": "vrai ou faux",
    "array": "liste",
    "object": "objet",
}
FORMATS = {
    "date": "date AAAA-MM-JJ",
    "date-time": "date et heure ISO 8601",
    "uri": "adresse",
    "double": "nombre décimal",
}


@cache
def openapi_schema():
    """The schema /api/v1/schema/ serves: it depends on the code only."""
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _type(node):
    if "enum" in node:
        described = "une valeur parmi " + ", ".join(f"« {value} »" for value in node["enum"])
    elif node.get("format") in FORMATS:
        described = FORMATS[node["format"]]
    elif node.get("type") == "array" and node.get("items", {}).get("type"):
        described = f"liste de {TYPES[node['items']['type']]}s"
    else:
        described = TYPES.get(node.get("type"), "objet")
    return described + (", ou null" if node.get("nullable") else "")


def _fields(schema, node, prefix=""):
    """(name, type, description) of each field of a response, nested ones as
    « lignes[].libelle »."""
    node = _resolve(schema, node)
    if node.get("type") == "array":
        # The list the endpoint answers: its items' fields, said once above them.
        yield from _fields(schema, node["items"], prefix)
        return
    for name, field in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        nullable = field.get("nullable", False)
        # A nullable choice is one of its enum and « null »; a described object, allOf it.
        options = field.get("allOf", []) + field.get("oneOf", [])
        if options:
            field = {**field, **next(o for o in options if "NullEnum" not in o.get("$ref", ""))}
        resolved = _resolve(schema, field)
        items = _resolve(schema, resolved.get("items", {}))
        if resolved.get("properties"):
            yield path, "objet" + (", ou null" if nullable else ""), resolved.get("description", "")
            yield from _fields(schema, resolved, path)
        elif resolved.get("type") == "array" and items.get("properties"):
            yield path, "liste d'objets", field.get("description", "")
            yield from _fields(schema, items, path + "[]")
        else:
            yield path, _type({**resolved, "nullable": nullable}), field.get("description", "")


def _answer(operation):
    return operation["responses"]["200"]["content"]["application/json"]["schema"]


def endpoints(schema):
    for path, methods in schema["paths"].items():
        operation = methods["get"]
        yield {
            "path": path,
            "id": operation["operationId"],
            "summary": operation["summary"],
            "description": operation["description"],
            "parameters": [
                (parameter["name"], _type(parameter["schema"]), parameter.get("description", ""))
                for parameter in operation.get("parameters", [])
            ],
            "fields": list(_fields(schema, _answer(operation))),
            "codes": sorted(operation["responses"]),
            "is_list": _resolve(schema, _answer(operation)).get("type") == "array",
            "per_territory": any(
                parameter["name"] == "territoire" for parameter in operation.get("parameters", [])
            ),
        }


def _example_territory():
    """The territory the examples and « Essayer » links give `territoire`, which an
    instance of several territories requires: its first territory with a published
    plan, in French alphabetical order. None on an instance of one (the parameter is
    optional there)."""
    published = ActionPlan.objects.published().filter(territory=OuterRef("pk"))
    territories = Territory.objects.only("name", "slug").annotate(published=Exists(published))
    territories = list(territories)
    if len(territories) < 2:
        return None
    candidates = [territory for territory in territories if territory.published]
    if not candidates:
        return None
    return min(candidates, key=lambda territory: territory.alphabetical_key)


def _examples():
    """What the examples ask for, read from the instance so that each of them
    answers there: the territory (see `_example_territory`; its slug, or None), its
    current plan's first initiative, and the year and a commune of that plan's
    latest month with validated events counted (this year and no commune without
    one)."""
    territory = _example_territory()
    plan = ActionPlan.objects.current(territory)
    example = {
        "territory": territory.slug if territory else None,
        "initiative": None,
        "year": timezone.localdate().year,
        "commune": None,
    }
    if plan is not None:
        example["initiative"] = (
            plan.initiatives.order_by("number").values_list("slug", flat=True).first()
        )
        # Read off the venues' months (by initiative and status, indexed), not off
        # the events, whose date index a plan without any would be read whole for.
        latest = (
            VenueMonth.objects.filter(initiative__plan=plan, status=EventStatus.VALIDATED)
            .order_by("-month", "venue__commune")
            .values_list("month", "venue__commune")
            .first()
        )
        if latest is not None:
            example["year"], example["commune"] = latest[0].year, latest[1]
    return example


PERIODS = {"second": "seconde", "minute": "minute", "hour": "heure", "day": "jour"}


def _rate():
    """« 120 requêtes par minute », or None without a limit."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get("anon")
    if not rate:
        return None
    number, period = rate.split("/")
    return f"{number} requêtes par {PERIODS[period]}"


@public_page()
def documentation(request):
    schema = openapi_schema()
    return render(
        request,
        "api/documentation.html",
        {
            "schema": schema,
            "endpoints": list(endpoints(schema)),
            "site": request.build_absolute_uri("/").rstrip("/"),
            "rate": _rate(),
            "example": _examples(),
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
        },
    )
