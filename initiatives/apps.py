from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "initiatives"
    verbose_name = "Plan d'action et initiatives"

    def ready(self):
        from feminisation import cache
        from initiatives.models import (
            Achievement,
            ActionPlan,
            Audience,
            Initiative,
            InitiativeLink,
            PlanLink,
            PlanPartner,
        )

        cache.watch(
            ActionPlan,
            PlanPartner,
            PlanLink,
            Audience,
            Initiative,
            InitiativeLink,
            Achievement,
            relations=[
                ActionPlan.contacts,
                Initiative.lead_partners,
                Initiative.associated_partners,
                Initiative.audiences,
            ],
        )
