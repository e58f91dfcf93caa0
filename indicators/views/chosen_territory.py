"""Which territory an export or a report is for: the site's, under
/territoires/<slug>/exports/…; else the one chosen on the export page
(`?territoire=<slug>`, or « tous » for the national network's every territory at
once); else the account's only one. Who may read which is `territories.scoping`'s
to say: an account never gets a territory it does not belong to. A territory
without a published plan has nothing to export: it is refused (404), saying so."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.urls import get_script_prefix, reverse

from indicators.views.downloads import repeated
from initiatives.models import ActionPlan
from territories import scoping
from territories.middleware import PREFIX
from territories.models import Territory

PARAM = "territoire"
EVERY = scoping.EVERY_TERRITORY_CHOICE
NO_PLAN = "Aucun plan d'action n'est publié."
CHOOSE = (
    "Votre compte couvre plusieurs territoires : choisissez celui à exporter sur la page "
    "des exports (paramètre « territoire »)."
)
REPEATED = repeated(PARAM)
EVERY_LABEL = "Tous les territoires"
ONE_TERRITORY = (
    "Le bilan annuel est celui d'un territoire : choisissez-en un (paramètre « territoire »)."
)


class Refused(Exception):
    """A territory the account may not have (403), cannot be read (400) or has no
    published plan (404), in French."""

    # The page that says it, by its status.
    TEMPLATES = {400: "400.html", 403: "403.html", 404: "indicators/no_export.html"}

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status

    def response(self, request):
        context = {"message": str(self)}
        return render(request, self.TEMPLATES[self.status], context, status=self.status)


@dataclass(frozen=True)
class ChosenTerritory:
    """The plans to export (one, or the current plan of every territory), and what
    the export page says about the choice."""

    plans: tuple
    # The value of the page's « Territoire » choice, that its links carry: a slug,
    # EVERY, or "" when the address or the account says it.
    value: str = ""
    # Whether the account picks among territories on the page.
    several: bool = False

    @property
    def plan(self):
        """The plan whose initiatives and years the form offers: the territory's, or,
        for every territory, the one that started first."""
        return min(self.plans, key=lambda plan: plan.start_date)

    @property
    def every(self):
        return self.value == EVERY

    @property
    def query(self):
        return f"{PARAM}={self.value}" if self.value else ""


def choose(request, *, every=True, page=False):
    """The ChosenTerritory of `request`; Refused else. `every`: whether
    « tous » may be asked (the exports, not the report). `page`: the export page,
    which shows an account of several territories the first one rather than
    refusing to choose for it."""
    user = request.user
    if PREFIX.match(request.path):
        return ChosenTerritory(plans=(_plan(user, request.territory),))
    values = request.GET.getlist(PARAM)
    if len(values) > 1:
        raise Refused(REPEATED, 400)
    value = values[0].strip() if values else ""
    if value == EVERY and not every:
        raise Refused(ONE_TERRITORY, 400)
    if value == EVERY:
        if message := scoping.territory_refusal(user, None):
            raise Refused(message, 403)
        plans = sorted(
            ActionPlan.objects.current_of_each_territory().select_related("territory"),
            key=lambda plan: plan.territory.alphabetical_key,
        )
        if not plans:
            raise Refused(NO_PLAN, 404)
        return ChosenTerritory(plans=tuple(plans), value=EVERY, several=True)
    if value:
        territory = Territory.objects.named(value).first()
        if territory is None:
            raise Refused(f"Aucun territoire ne correspond à « {value[:60]} ».", 400)
        return ChosenTerritory(plans=(_plan(user, territory),), value=value, several=True)
    plan = scoping.first_plan(user)
    if plan is None:
        raise Refused(NO_PLAN, 404)
    if plan.several and not page:
        raise Refused(CHOOSE, 400)
    value = plan.territory.slug if plan.several else ""
    return ChosenTerritory(plans=(plan,), value=value, several=plan.several)


def _plan(user, territory):
    if message := scoping.territory_refusal(user, territory):
        raise Refused(message, 403)
    plan = ActionPlan.objects.current(territory)
    if plan is None:
        raise Refused(
            f"Aucun plan d'action n'est publié pour le territoire « {territory.name} ».", 404
        )
    return plan


def choices(user, chosen):
    """The page's « Territoire » choice: (value, label, selected) for each territory
    the account reads that has a published plan (another has nothing to export), and
    « Tous les territoires » for the national network."""
    if not chosen.several:
        return []
    published = ActionPlan.objects.published().filter(territory=OuterRef("pk"))
    territories = (
        Territory.objects.visible_to(user).filter(Exists(published)).order_by().only("slug", "name")
    )
    offered = [
        (territory.slug, territory.name, territory.slug == chosen.value)
        for territory in sorted(territories, key=lambda territory: territory.alphabetical_key)
    ]
    if scoping.territory_refusal(user, None) is None:
        offered.append((EVERY, EVERY_LABEL, chosen.every))
    return offered


def to_login(request):
    """The login page, the instance's (no territory's site holds it: reverse()'s
    prefix is taken off), coming back here once logged in."""
    prefix = get_script_prefix()
    root = getattr(request, "instance_prefix", prefix)
    login = root + reverse(settings.LOGIN_URL).removeprefix(prefix)
    return redirect_to_login(request.get_full_path(), login)
