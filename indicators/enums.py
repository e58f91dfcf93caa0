from django.db import models


class EventFormat(models.TextChoices):
    SCHOOL_INTERVENTION = "intervention_scolaire", "Intervention en établissement scolaire"
    COMPANY_VISIT = "visite_entreprise", "Visite d'entreprise"
    FORUM = "forum", "Forum ou salon des métiers"
    WORKSHOP = "atelier", "Atelier"
    PORTRAIT_SCREENING = "projection_portraits", "Projection des portraits vidéo"
    PRESCRIBER_SESSION = "information_prescripteurs", "Information des prescripteurs"
    OTHER = "autre", "Autre"


class EventStatus(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    SUBMITTED = "soumise", "Soumise, à valider"
    RETURNED = "a_corriger", "À corriger"
    VALIDATED = "validee", "Validée"


class EventRole(models.TextChoices):
    """How a partner took part in an event."""

    ORGANISED = "organised", "Organisée"
    CO_ORGANISED = "co_organised", "Co-organisée"
