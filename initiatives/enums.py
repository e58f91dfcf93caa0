from django.db import models


class PartnerRole(models.TextChoices):
    STAKEHOLDER = "partie_prenante", "Partie prenante"
    SUPPORTER = "soutien", "Soutien financier ou institutionnel"


class InitiativeStatus(models.TextChoices):
    PLANNED = "prevue", "Prévue"
    IN_PROGRESS = "en_cours", "En cours"
    COMPLETED = "terminee", "Terminée"
