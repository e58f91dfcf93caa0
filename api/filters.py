"""The API's query parameters: the territory (`territoire`), and the dashboard's
filters, read by the dashboard's own forms, so that a value means the same thing,
and is refused with the same French message, on the site and in the API."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from rest_framework.exceptions import NotFound, ParseError

from indicators.figures import stats
from indicators.views.downloads import repeated
from indicators.views.filters import ActionFilterForm, DashboardFilterForm
from initiatives.models import ActionPlan
from territories.models import Territory

MAX_PAGE_SIZE = 100
TERRITORY = "territoire"
NO_PLAN = "Aucun plan d'action n'est publié."
SEVERAL_TERRITORIES = (
    "Cette instance suit plusieurs territoires : précisez lequel avec le paramètre "
    "« territoire », l'identifiant de son site (/territoires/<identifiant>/)."
)


def territory_plan(request):
    """The current plan of the territory that `?territoire=<slug>` names; without it,
    that of the instance's only territory (a 400 when it has several). One query,
    as many as before territories."""
    values = request.query_params.getlist(TERRITORY)
    if len(values) > 1:
        raise ParseError(repeated(TERRITORY))
    slug = values[0].strip() if values else ""
    plans = (
        ActionPlan.objects.published().select_related("territory").order_by("-start_date", "-pk")
    )
    if slug:
        named = Territory.objects.named(slug)
        plan = plans.filter(territory__in=named).first()
        if plan is not None:
            return plan
        if not named.exists():
            raise ParseError(f"Aucun territoire ne correspond à « {slug[:60]} ».")
        raise NotFound(f"Aucun plan d'action n'est publié pour le territoire « {slug} ».")
    others = Territory.objects.exclude(pk=OuterRef("territory"))
    plan = plans.annotate(several=Exists(others)).first()
    if plan is None:
        raise NotFound(NO_PLAN)
    if plan.several:
        raise ParseError(SEVERAL_TERRITORIES)
    return plan


class PageSizeField(forms.Field):
    """How many actions a page lists, 1 to MAX_PAGE_SIZE; the site's 50 when missing."""

    def to_python(self, value):
        value = value.strip() if isinstance(value, str) else ""
        if not value:
            return stats.ACTIONS_PER_PAGE
        if (
            not (len(value) <= 3 and value.isascii() and value.isdigit())
            or not 1 <= int(value) <= MAX_PAGE_SIZE
        ):
            raise ValidationError(
                "« par_page » doit être un nombre entier de 1 à %(max)s, pas « %(value)s ».",
                code="invalid",
                params={"value": value[:40], "max": MAX_PAGE_SIZE},
            )
        return int(value)


class ApiActionFilterForm(ActionFilterForm):
    par_page = PageSizeField(required=False)


def _read(form):
    """The form's filters, or a 400 with the message of its first error: an API has
    no page on which to show the form again, so a period it cannot use (a year and
    dates, an end before the start) is refused too, as in the CSV files."""
    if message := form.error_message():
        raise ParseError(message)
    return form.filters()


def dashboard_filters(request, plan):
    """(filters, today) from the query string."""
    today = timezone.localdate()
    form = DashboardFilterForm(request.query_params, plan=plan, today=today)
    return _read(form), today


def action_filters(request, plan):
    """(filters, commune, page number, page size) from the query string."""
    form = ApiActionFilterForm(request.query_params, plan=plan, today=timezone.localdate())
    chosen = _read(form)
    data = form.cleaned_data
    return chosen, data["commune"], data["page"], data["par_page"]
