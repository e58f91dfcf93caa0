from collections import Counter

from django.core.management.base import BaseCommand
from django.db import transaction

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

# Summary order and French names (singular, plural) of what the command creates.
NOUNS = {
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
        "n'est jamais écrasé."
    )

    def handle(self, *args, **options):
        loader = PlanLoader()
        with transaction.atomic():
            loader.load()
        self.stdout.write(loader.summary())


class PlanLoader:
    """Creates what is missing, looked up by natural key.

    A relation (plan partner, contact, lead partner, audience…) is added only when
    one of its two ends is created by this run, and what belongs to one object
    (contacts, links, achievements) only with that object: what staff removed
    stays removed. That matters most for contacts, which are personal data."""

    def __init__(self):
        self.created = Counter()

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
        partners, new_partners = self.load_partners()
        audiences, new_audiences = self.load_audiences()
        plan = self.load_plan(partners, new_partners)
        for data in plan_data.INITIATIVES:
            self.load_initiative(plan, data, partners, new_partners, audiences, new_audiences)

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
            fields = {k: v for k, v in data.items() if k != "slug"}
            audience, created = self.find_or_create(
                Audience,
                [{"slug": data["slug"]}, {"name__iexact": data["name"]}],
                fields,
            )
            audiences[data["slug"]] = audience
            if created:
                new.add(data["slug"])
        return audiences, new

    def load_plan(self, partners, new_partners):
        fields = {k: v for k, v in plan_data.PLAN.items() if k != "slug"}
        plan, plan_created = self.find_or_create(
            ActionPlan, [{"slug": plan_data.PLAN["slug"]}], fields
        )
        for data in plan_data.PARTNERS:
            if plan_created or data["slug"] in new_partners:
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
            return "Rien à créer : les données du plan sont déjà présentes."
        parts = []
        for model, (singular, plural) in NOUNS.items():
            count = self.created[model]
            if count:
                parts.append(f"{count} {singular if count == 1 else plural}")
        return f"Plan chargé, éléments créés : {', '.join(parts)}."
