from django.db import models


class PartnerKind(models.TextChoices):
    COMPANY = "entreprise", "Entreprise"
    ASSOCIATION = "association", "Association"
    LOCAL_AUTHORITY = "collectivite", "Collectivité territoriale"
    REGION = "region", "Région"
    CAMPUS = "cmq", "Campus des métiers et des qualifications"
    DEVELOPMENT_AGENCY = "agence_developpement", "Agence de développement économique"
    SCHOOL = "etablissement", "Établissement de formation ou scolaire"
    STATE_OR_FUNDER = "etat_financeur", "État ou financeur"
    EMPLOYMENT_SERVICE = "emploi", "Service public de l'emploi"
    OTHER = "autre", "Autre"
