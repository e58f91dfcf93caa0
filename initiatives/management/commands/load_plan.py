from collections import Counter

from django.core.management.base import BaseCommand
from django.db import transaction

from feminisation.cache import invalidate_public_pages
from initiatives import plan_data
from initiatives.models import (
    Achievement,
    ActionPlan,
    Audience,
    Initiative,
    InitiativeLink,
    PlanLink,
    PlanPartner,
)
from partners.models import Contact, Partner
from territories.models import Epci, Territory

# Summary order and French names (singular, plural) of what the command creates.
NOUNS = {
    Territory: ("territoire", "territoires"),
    Epci: ("intercommunalité", "intercommunalités"),
    ActionPlan: ("plan", "plans"),
    Audience: ("public cible", "publics cibles"),
    Partner: ("partenaire", "partenaires"),
    Contact: ("contact", "contacts"),
    Initiative: ("initiative", "initiatives"),
    PlanLink: ("lien du plan", "liens du plan"),
    InitiativeLink: ("lien d'initiative", "liens d'initiatives"),
    Achievement: ("réalisation", "réalisations"),
}


class Command(BaseCommand):
    help = (
        "Charge les données initiales du plan d'action (plan, publics cibles, partenaires, "
        "contacts, initiatives). Ne crée que ce qui manque : ce que l'équipe a modifié depuis "
        "n'est jamais écrasé ; un texte encore identique à celui d'une version précédente "
        "prend sa nouvelle rédaction."
    )

    def handle(self, *args, **options):
        loader = PlanLoader()
        with transaction.atomic():
            loader.load()
        self.stdout.write(loader.summary())


class PlanLoader:
    """Creates what is missing, looked up by natural key. The only change made to
    an existing object is `replace_former_wording`.

    A relation (plan partner, contact, lead partner, audience…) is added only when
    one of its two ends is created by this run, and what belongs to one object
    (contacts, links, achievements) only with that object: what staff removed
    stays removed. That matters most for contacts, which are personal data."""

    def __init__(self):
        self.created = Counter()
        # What the summary says besides what was created, one sentence each.
        self.notes = []

    def find_or_create(self, model, lookups, defaults):
        """The first object matching one of `lookups`, tried in order, or a new one.

        The first lookup is the natural key; the next ones match the model's other
        unique constraints, so that an object staff created under another slug is
        reused rather than making the insert fail."""
        for lookup in lookups:
            found = model.objects.filter(**lookup).first()
            if found is not None:
                return found, False
        self.created[model] += 1
        return model.objects.create(**lookups[0], **defaults), True

    def load(self):
        territory = self.load_territory()
        partners, new_partners = self.load_partners()
        audiences, new_audiences = self.load_audiences()
        plan = self.load_plan(territory, partners, new_partners)
        for data in plan_data.INITIATIVES:
            self.load_initiative(plan, data, partners, new_partners, audiences, new_audiences)

    def load_territory(self):
        data = plan_data.TERRITORY
        territory, created = self.find_or_create(
            Territory,
            [{"slug": data["slug"]}, {"name__iexact": data["name"]}],
            {"name": data["name"], "region": data["region"]},
        )
        if created:
            for epci in data["epcis"]:
                self.find_or_create(
                    Epci, [{"territory": territory, "siren": epci["siren"]}], {"name": epci["name"]}
                )
        return territory

    def load_partners(self):
        partners, new = {}, set()
        for data in plan_data.PARTNERS:
            fields = {k: v for k, v in data.items() if k not in ("slug", "role")}
            partner, created = self.find_or_create(
                Partner,
                [{"slug": data["slug"]}, {"name__iexact": data["name"]}],
                fields,
            )
            partners[data["slug"]] = partner
            if created:
                new.add(data["slug"])
        return partners, new

    def load_audiences(self):
        audiences, new = {}, set()
        for data in plan_data.AUDIENCES:
            former = data.get("former", {})
            fields = {k: v for k, v in data.items() if k not in ("slug", "former")}
            names = [data["name"], *former.get("name", ())]
            audience, created = self.find_or_create(
                Audience,
                [{"slug": data["slug"]}, *({"name__iexact": name} for name in names)],
                fields,
            )
            if not created:
                self.replace_former_wording(audience, fields, former)
            audiences[data["slug"]] = audience
            if created:
                new.add(data["slug"])
        return audiences, new

    def replace_former_wording(self, obj, fields, former):
        """Gives `obj` the current wording of each field that still holds the wording
        an earlier version shipped; a field staff edited is never touched.

        Each field is replaced by one conditional UPDATE, so that an edit saved
        meanwhile in the admin wins; the signals do not see it, hence the explicit
        emptying of the public pages' cache."""
        model = type(obj)
        replaced = []
        for field, values in former.items():
            if getattr(obj, field) not in values:
                continue
            if field == "name" and (
                model.objects.exclude(pk=obj.pk).filter(name__iexact=fields["name"]).exists()
            ):
                self.notes.append(
                    f"{model._meta.verbose_name.capitalize()} « {obj.slug} » : nom laissé tel "
                    f"quel, « {fields['name']} » est déjà le nom d'un autre "
                    f"{model._meta.verbose_name}."
                )
                continue
            if model.objects.filter(pk=obj.pk, **{f"{field}__in": values}).update(
                **{field: fields[field]}
            ):
                setattr(obj, field, fields[field])
                replaced.append(str(model._meta.get_field(field).verbose_name))
        if replaced:
            invalidate_public_pages()
            self.notes.append(
                f"{model._meta.verbose_name.capitalize()} « {obj.slug} » : ancien texte par "
                f"défaut remplacé ({', '.join(replaced)})."
            )

    def load_plan(self, territory, partners, new_partners):
        fields = {k: v for k, v in plan_data.PLAN.items() if k != "slug"}
        fields["territory"] = territory
        plan, plan_created = self.find_or_create(
            ActionPlan, [{"slug": plan_data.PLAN["slug"]}], fields
        )
        for data in plan_data.PARTNERS:
            if plan_created or data["slug"] in new_partners:
                partners[data["slug"]].territories.add(territory)
                PlanPartner.objects.get_or_create(
                    plan=plan, partner=partners[data["slug"]], defaults={"role": data["role"]}
                )
        for data in plan_data.CONTACTS:
            if data["partner"] not in new_partners:
                continue
            contact, _ = self.find_or_create(
                Contact,
                [{"partner": partners[data["partner"]], "full_name": data["full_name"]}],
                {"job_title": data["job_title"], "email": data["email"], "is_public": False},
            )
            plan.contacts.add(contact)
        if plan_created:
            for data in plan_data.PLAN_LINKS:
                self.find_or_create(
                    PlanLink,
                    [{"plan": plan, "url": data["url"]}],
                    {"label": data["label"], "order": data["order"]},
                )
        return plan

    def load_initiative(self, plan, data, partners, new_partners, audiences, new_audiences):
        fields = {key: data[key] for key in ("number", "title", "summary", "description", "status")}
        initiative, created = self.find_or_create(
            Initiative,
            [
                {"plan": plan, "slug": data["slug"]},
                {"plan": plan, "number": data["number"]},
            ],
            fields,
        )
        for relation, slugs, items, new in (
            (initiative.lead_partners, data["lead_partners"], partners, new_partners),
            (initiative.associated_partners, data["associated_partners"], partners, new_partners),
            (initiative.audiences, data["audiences"], audiences, new_audiences),
        ):
            added = [items[slug] for slug in slugs if created or slug in new]
            if added:
                relation.add(*added)
        if not created:
            return
        for link in data["links"]:
            self.find_or_create(
                InitiativeLink,
                [{"initiative": initiative, "url": link["url"]}],
                {"label": link["label"], "order": link["order"]},
            )
        for achievement in data["achievements"]:
            self.find_or_create(
                Achievement,
                [{"initiative": initiative, "title": achievement["title"]}],
                {"quantity": achievement["quantity"]},
            )

    def summary(self):
        if not self.created:
            lines = ["Rien à créer : les données du plan sont déjà présentes."]
        else:
            parts = []
            for model, (singular, plural) in NOUNS.items():
                count = self.created[model]
                if count:
                    parts.append(f"{count} {singular if count == 1 else plural}")
            lines = [f"Plan chargé, éléments créés : {', '.join(parts)}."]
        return "\n".join(lines + self.notes)
