"""The life of an awareness event, decided in one place: who may view, edit,
delete, submit, validate or return it, what status an edit leaves it in, which
years are closed, and the French words for each refusal.

The admin's form, list actions and bulk delete, the import, the history's revert
and the restore of deleted events all ask here; none decides on its own.

- An event belongs to its organiser: the organiser's accounts and the territory
  staff may edit or delete it; a co-organising partner sees it read-only and is
  credited, nothing more.
- Staff validate a draft or a submitted event, one at a time or in bulk; partners
  submit and never validate.
- A partner's change to a validated event sends it back to « soumise ».
- A closed year's events are read-only for partners; only staff write there, and
  nobody returns them to a partner who could not correct them.
- A save is made on the version of the event its author saw: a form, a version of
  the history or a row of the list read before someone else's save changes
  nothing, and says what the other person changed."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from feminisation.access import (
    can_validate,
    organisation_ids,
    sees_all_events,
    sees_every_territory,
)
from feminisation.formatting import counted
from geography.departments import of_departments
from indicators.enums import EventStatus
from indicators.models import ClosedYear
from indicators.notifications import moves as notifications
from initiatives.models import ActionPlan
from territories.models import Epci, Territory, departments_of

ADD = "indicators.add_awarenessevent"
CHANGE = "indicators.change_awarenessevent"
DELETE = "indicators.delete_awarenessevent"

# What a partner may choose in the form or an import; staff may choose any status.
PARTNER_STATUSES = (EventStatus.DRAFT, EventStatus.SUBMITTED)
# Never moved backwards by an import, which only completes what is recorded.
PROGRESS = {
    EventStatus.DRAFT: 0,
    EventStatus.RETURNED: 1,
    EventStatus.SUBMITTED: 2,
    EventStatus.VALIDATED: 3,
}

# The history's reasons (its column is 100 characters long).
REASON_MAX_LENGTH = 100
SUBMITTED_REASON = "Soumise pour validation"
VALIDATED_REASON = "Validée"
DEMOTED_REASON = "Modifiée par le partenaire : à valider de nouveau"
RESTORED_REASON = "Restaurée après suppression"


def returned_reason(comment):
    return f"Renvoyée pour correction : {comment}"[:REASON_MAX_LENGTH]


# The refusals, in French, each written once.
ORGANIZER_AMONG_CO_ORGANIZERS = "Le partenaire organisateur ne peut pas être aussi co-organisateur."
NO_ORGANISATION = (
    "Votre compte n'est rattaché à aucune organisation partenaire : demandez à l'équipe du "
    "territoire de vous y rattacher."
)
RETURN_NEEDS_COMMENT = "Dites au partenaire ce qu'il faut corriger avant de lui renvoyer l'action."
PARTNERS_NEVER_VALIDATE = (
    "Seule l'équipe du territoire valide les actions : choisissez « brouillon » ou « soumise »."
)
RETURNED_IS_NOT_CHOSEN = (
    "Le statut « À corriger » se donne avec un commentaire, par l'équipe du territoire."
)
RETURNED_IS_NOT_IMPORTED = (
    "Le statut « À corriger » ne s'importe pas : l'équipe du territoire le donne avec un "
    "commentaire."
)
VALIDATE_A_RETURNED_EVENT = (
    "Cette action attend la correction de son organisateur : remettez-la « Soumise, à "
    "valider » pour la valider."
)
DEMOTED = (
    "Cette action était validée : modifiée, elle repasse « Soumise, à valider » et l'équipe "
    "du territoire la vérifiera de nouveau."
)


EDIT_CONFLICT = (
    "Quelqu'un a enregistré cette action pendant que vous la modifiiez : rien de ce que vous "
    "avez saisi n'a été enregistré."
)
EDIT_CONFLICT_AGAIN = (
    "Le formulaire montre maintenant l'action telle qu'elle est enregistrée : saisissez de "
    "nouveau vos modifications, puis enregistrez."
)
REVERT_CONFLICT = (
    "Quelqu'un a enregistré cette action depuis que vous avez ouvert cette version : elle n'a "
    "pas été rétablie."
)
REVERT_CONFLICT_AGAIN = "Relisez l'historique, puis rétablissez la version voulue."
CONFLICT_UNKNOWN_CHANGES = "Ses modifications ne sont plus dans l'historique."
FORM_WITHOUT_VERSION = (
    "Ce formulaire ne dit pas quelle version de l'action il modifie : rien n'a été enregistré. "
    "Rechargez la page, puis saisissez de nouveau vos modifications."
)


def saved_by_message(user, when, reason):
    """« Enregistrée par claire le 14/03/2026 à 14:05 (motif : …) : »"""
    text = f"Enregistrée par {user} le {when}"
    if reason:
        text += f" (motif : {reason})"
    return f"{text} :"


RESTORE_CONFLICT = "Cette action vient d'être restaurée par quelqu'un d'autre : rien n'a été fait."
NOT_THE_LATEST_DELETION = (
    "Cette suppression n'est plus la dernière de l'action : seul son dernier état supprimé "
    "peut être restauré, depuis la liste des actions supprimées."
)


def missing_message(missing, reverting=False):
    """Why a deleted event, or an older version of one, cannot be brought back: what
    it names was deleted since."""
    what = "cette version" if reverting else "cette action"
    done = "Rien n'a été rétabli" if reverting else "Rien n'a été restauré"
    again = "rétablissez la version" if reverting else "restaurez l'action"
    them, its = ("les", "leur") if len(missing) > 1 else ("le", "son")
    return (
        f"{done} : {what} renvoie à ce qui a été supprimé depuis — {', '.join(missing)}. "
        f"Recréez-{them} (ou restaurez-{them} depuis {its} historique), puis {again}."
    )


def left_the_territory_message(partners):
    """Why a deleted event cannot be restored: organisers that no longer work in its
    territory (`outside_the_territory`)."""
    names = ", ".join(f"« {partner} »" for partner in partners)
    several = len(partners) > 1
    return (
        f"Rien n'a été restauré : {names} ne travaille{'nt' if several else ''} plus sur le "
        "territoire de cette action. Ajoutez ce territoire à la fiche "
        f"{'des partenaires' if several else 'du partenaire'}, puis restaurez l'action."
    )


def closed_year_message(year):
    return (
        f"L'année {year} est clôturée : seule l'équipe du territoire peut encore y enregistrer "
        "ou modifier des actions."
    )


def not_owner_message(organizer):
    return (
        f"Cette action est organisée par « {organizer} » : seuls son organisateur et l'équipe "
        "du territoire peuvent la modifier ou la supprimer."
    )


def not_your_organisation_message(user, organizer):
    return (
        f"Vous ne pouvez enregistrer que les actions organisées par votre organisation "
        f"({', '.join(_organisation_names(user))}) : « {organizer} » n'en fait pas partie."
    )


def _organisation_names(user):
    # Kept on the user, as organisation_ids: an import may ask once per row.
    if not hasattr(user, "_organisation_names"):
        user._organisation_names = [str(p) for p in user.partner_organisations.order_by("pk")]
    return user._organisation_names


# Closed years ---------------------------------------------------------------------


def hold_closures(plan_ids):
    """Within a transaction: waits for a closure of one of these plans' years being
    saved, and holds off any other until the transaction ends (their plans' rows
    locked, in the order of their ids). A save that reads whether its event's year
    is closed then writes on what it read: a year closed meanwhile would otherwise
    leave a partner's change, or a return, behind its closure. Outside a
    transaction (a page shown), nothing is written on what is read."""
    from initiatives.models import ActionPlan

    ids = sorted({pk for pk in plan_ids if pk is not None})
    if not ids or not transaction.get_connection().in_atomic_block:
        return
    locked = ActionPlan._base_manager.select_for_update(no_key=True).filter(pk__in=ids)
    list(locked.order_by("pk").values_list("pk", flat=True))


INITIATIVE_MOVED = (
    "Cette initiative vient d'être déplacée dans un autre plan d'action, ou supprimée : "
    "rien n'a été enregistré. Rechargez la page et choisissez une initiative du plan en "
    "cours."
)


def commune_problem(commune, initiative):
    """Why an event of this initiative cannot take place in this commune, or None:
    it lies outside its territory's departments, where an import finds its communes
    (a form that took what the import refuses would export files that do not import
    again). One query."""
    territory = Subquery(ActionPlan.objects.filter(pk=initiative.plan_id).values("territory"))
    departments = set(departments_of(territory))
    if not departments or commune.department in departments:
        return None
    return (
        f"{commune} n'est pas une commune {of_departments(departments)}, où se trouve le "
        "territoire de cette initiative : choisissez une commune de ses départements."
    )


def offered_communes(communes, user):
    """Among `communes`, those an event of `user`'s may take place in by
    `commune_problem`'s rule: of the departments of its territories, or all of them
    for an account that reads every territory or has a territory without EPCIs
    (whose events may take place anywhere). Read in the same query."""
    if sees_every_territory(user):
        return communes
    territories = Territory.objects.filter(members=user)
    unbounded = territories.filter(~Exists(Epci.objects.filter(territory=OuterRef("pk"))))
    return communes.filter(
        Q(Exists(unbounded)) | Q(department__in=departments_of(territories.values("pk")))
    )


def moved_since_read(initiative):
    """Whether the initiative an event is given has left the plan it was read in.
    Within a transaction, it is then held in its plan until the save commits
    (`Initiative.objects.held`): what the event is checked against, its plan's
    territory and closed years, stays true until it is written."""
    from initiatives.models import Initiative

    return Initiative.objects.plan_held(initiative.pk) != initiative.plan_id


def closed_years():
    """{(plan id, year)} of the closed years, read once for a whole batch."""
    return set(ClosedYear.objects.values_list("plan_id", "year"))


def is_closed(plan_id, year, closed=None):
    if closed is not None:
        return (plan_id, year) in closed
    hold_closures([plan_id])
    return ClosedYear.objects.filter(plan_id=plan_id, year=year).exists()


def in_closed_year(event, closed=None):
    """Whether the event, as recorded, is dated in a closed year of its plan; asked
    once per event and kept on it."""
    if closed is not None:
        return (event.initiative.plan_id, event.date.year) in closed
    if "_in_closed_year" not in event.__dict__:
        event._in_closed_year = is_closed(event.initiative.plan_id, event.date.year)
    return event._in_closed_year


def may_write_in_closed_years(user):
    return can_validate(user)


def closure_binds(user, status):
    """Whether a closed year limits a save by this account giving this status: a
    partner's save, or a return to the partner (the staff write in closed years)."""
    return status == EventStatus.RETURNED or not may_write_in_closed_years(user)


# Ownership ------------------------------------------------------------------------


def owns(user, event):
    """The event is organised by one of the account's organisations."""
    return event.organizer_id in organisation_ids(user)


def import_refusal(user, recorded_organizer, organizer, changed):
    """Why a file may not give an event this organiser, or None. A partner's file
    changes only the events its organisation organises and names no other organiser;
    an unchanged row of an event it co-organises (its own export lists them) passes.
    `recorded_organizer` is None for a new event."""
    if can_validate(user):
        return None
    own = organisation_ids(user)
    if recorded_organizer is not None and recorded_organizer.pk not in own:
        return not_owner_message(recorded_organizer) if changed else None
    if organizer.pk not in own:
        return not_your_organisation_message(user, organizer)
    return None


def may_add(user):
    return user.has_perm(ADD) and (sees_all_events(user) or bool(organisation_ids(user)))


def may_edit(user, event):
    return edit_refusal(user, event) is None


def edit_refusal(user, event):
    """Why this account may not change this event, or None if it may."""
    if not user.has_perm(CHANGE):
        return "Votre compte ne peut pas modifier les actions."
    if can_validate(user):
        return None
    if not owns(user, event):
        return not_owner_message(event.organizer)
    if in_closed_year(event):
        return closed_year_message(event.date.year)
    return None


def may_delete(user, event):
    return delete_refusal(user, event) is None


def delete_refusal(user, event):
    if not user.has_perm(DELETE):
        return "Votre compte ne peut pas supprimer les actions."
    if can_validate(user):
        return None
    if not owns(user, event):
        return not_owner_message(event.organizer)
    if event.status == EventStatus.VALIDATED:
        return "Une action validée ne se supprime que par l'équipe du territoire."
    if in_closed_year(event):
        return closed_year_message(event.date.year)
    return None


def edit_conflict(seen_version, stored_version):
    """Whether a save made from the version `seen_version` (None: unknown) of an
    event, now at `stored_version`, would overwrite someone else's save."""
    return seen_version != stored_version


def may_restore(user):
    """Bringing back a deleted event is the staff's."""
    return sees_all_events(user) and user.has_perm(ADD)


def organisation_problems(user, organizer, co_organizers, initiative=None):
    """What is wrong with the organisers an account gives an event, as (field,
    message) pairs. With the event's initiative: each organiser works in its plan's
    territory (the import finds a row's partners among the territory's only)."""
    problems = []
    if organizer is not None and organizer in co_organizers:
        problems.append(("co_organizers", ORGANIZER_AMONG_CO_ORGANIZERS))
    if (
        organizer is not None
        and not sees_all_events(user)
        and organizer.pk not in organisation_ids(user)
    ):
        problems.append(("organizer", not_your_organisation_message(user, organizer)))
    if initiative is not None:
        problems += _outside_the_territory(initiative, organizer, co_organizers)
    return problems


def outside_the_territory(initiative_id, partners):
    """Those of `partners` that do not work in the territory of the initiative's
    plan, which may not organise its events: its staff and public site would show
    an action of a partner they do not know. One query, none without partners."""
    from initiatives.models import Initiative
    from partners.models import Partner

    if not partners:
        return []
    territory = Initiative.objects.filter(pk=initiative_id).values("plan__territory")
    working = Partner.objects.filter(pk__in=[partner.pk for partner in partners]).working_in(
        Subquery(territory)
    )
    working_ids = set(working.values_list("pk", flat=True))
    return [partner for partner in partners if partner.pk not in working_ids]


def _outside_the_territory(initiative, organizer, co_organizers):
    """(field, message) for the organisers that do not work in the territory of the
    initiative's plan (`outside_the_territory`)."""
    given = {
        "organizer": [organizer] if organizer is not None else [],
        "co_organizers": list(co_organizers),
    }
    outside_ids = {
        partner.pk
        for partner in outside_the_territory(
            initiative.pk, [partner for chosen in given.values() for partner in chosen]
        )
    }
    problems = []
    for field, chosen in given.items():
        outside = [partner for partner in chosen if partner.pk in outside_ids]
        if outside:
            names = ", ".join(f"« {partner} »" for partner in outside)
            problems.append(
                (
                    field,
                    f"{names} ne travaille{'nt' if len(outside) > 1 else ''} pas sur le "
                    "territoire de cette initiative : choisissez un partenaire du territoire, "
                    "ou ajoutez ce territoire à la fiche du partenaire.",
                )
            )
    return problems


# Transitions: the list's actions ---------------------------------------------------


@dataclass(frozen=True)
class Transition:
    name: str
    from_statuses: frozenset
    to_status: str
    done: tuple  # (singular, plural) participle
    staff_only: bool
    # Partners cannot change a closed year's events; returning one to them would
    # ask for a correction they cannot make.
    closed_year_for_all: bool = False


SUBMIT = Transition(
    "submit",
    frozenset({EventStatus.DRAFT, EventStatus.RETURNED}),
    EventStatus.SUBMITTED,
    ("soumise pour validation", "soumises pour validation"),
    staff_only=False,
)
VALIDATE = Transition(
    "validate",
    frozenset({EventStatus.DRAFT, EventStatus.SUBMITTED}),
    EventStatus.VALIDATED,
    ("validée", "validées"),
    staff_only=True,
)
RETURN = Transition(
    "return",
    frozenset({EventStatus.SUBMITTED, EventStatus.VALIDATED}),
    EventStatus.RETURNED,
    ("renvoyée pour correction", "renvoyées pour correction"),
    staff_only=True,
    closed_year_for_all=True,
)
TRANSITIONS = (SUBMIT, VALIDATE, RETURN)

# Why an event is left as it is, in the singular and the plural.
IN_STATUS = {
    EventStatus.DRAFT: ("en brouillon", "en brouillon"),
    EventStatus.SUBMITTED: ("déjà soumise", "déjà soumises"),
    EventStatus.RETURNED: ("à corriger par le partenaire", "à corriger par le partenaire"),
    EventStatus.VALIDATED: ("déjà validée", "déjà validées"),
}
IN_CLOSED_YEAR = ("d'une année clôturée", "d'années clôturées")
NOT_OWNED = ("organisée par un autre partenaire", "organisées par d'autres partenaires")
CHANGED_SINCE_SEEN = (
    "modifiée par quelqu'un d'autre depuis l'affichage de la liste",
    "modifiées par quelqu'un d'autre depuis l'affichage de la liste",
)


def may_perform(user, transition):
    """Whether the account is offered the transition at all."""
    if transition.staff_only:
        return can_validate(user)
    return user.has_perm(CHANGE)


def transition_refusal(user, event, transition, closed=None, seen_version=None, listed_at=None):
    """Why `transition` leaves this event as it is — a (singular, plural) reason — or
    None if it applies. `seen_version` is the version of the event the list showed;
    a version saved since then is not the content its validator saw. An event chosen
    through « tout sélectionner » has none: then it must not have been saved since
    the list was shown (`listed_at`, when known)."""
    if not may_perform(user, transition):
        return IN_STATUS[event.status]
    if not can_validate(user) and not owns(user, event):
        return NOT_OWNED
    if seen_version is not None and edit_conflict(seen_version, event.version):
        return CHANGED_SINCE_SEEN
    if seen_version is None and listed_at is not None and event.updated_at > listed_at:
        return CHANGED_SINCE_SEEN
    if event.status not in transition.from_statuses:
        return IN_STATUS[event.status]
    if in_closed_year(event, closed) and (
        transition.closed_year_for_all or not may_write_in_closed_years(user)
    ):
        return IN_CLOSED_YEAR
    return None


def set_status(event, status, user, comment="", when=None):
    """Moves the event to `status` with what goes with it: who validated it and when
    (`when`, or now), the comment for the partner, and the e-mail to whoever acts
    next, sent once the move is committed (`notifications.moves`)."""
    if status == EventStatus.VALIDATED:
        if event.status != EventStatus.VALIDATED or event.validated_at is None:
            event.validated_at, event.validated_by = when or timezone.now(), user
        event.review_comment = ""
    elif status == EventStatus.RETURNED:
        event.review_comment = comment
        event.validated_at = event.validated_by = None
    else:
        event.validated_at = event.validated_by = None
    event.status = status
    notifications.note(event, status, user)


def status_reason(status, comment=""):
    """What the history says of a move to `status`."""
    return {
        EventStatus.SUBMITTED: SUBMITTED_REASON,
        EventStatus.VALIDATED: VALIDATED_REASON,
        EventStatus.RETURNED: returned_reason(comment),
    }.get(status)


def perform(transition, event, user, comment="", when=None):
    set_status(event, transition.to_status, user, comment, when)
    event._change_reason = status_reason(transition.to_status, comment)
    event.updated_by = user


def summary(changed, skipped, transition):
    """« 2 actions validées. 3 laissées telles quelles : 2 en brouillon, 1 déjà validée. »"""
    if changed:
        text = f"{counted(changed, 'action', 'actions')} {transition.done[changed > 1]}."
    else:
        text = "Aucune action modifiée."
    if skipped:
        total = sum(skipped.values())
        reasons = ", ".join(f"{count} {forms[count > 1]}" for forms, count in skipped.most_common())
        kept = "laissée telle quelle" if total < 2 else "laissées telles quelles"
        text += f" {total} {kept} : {reasons}."
    return text


# Edits: the status a form or an import leaves --------------------------------------


def status_choices(user):
    """The statuses the account may pick in the form."""
    if can_validate(user):
        return list(EventStatus)
    return list(PARTNER_STATUSES)


def status_options(user, stored=None):
    """The form's status choices, as (value, label): the statuses the account may
    pick and, first, the event's own status when it may not pick it (a partner's
    event « À corriger » or validated), so that the form shows the true status and
    a save that leaves it alone keeps it."""
    options = [(status.value, status.label) for status in status_choices(user)]
    if stored is not None and stored not in status_choices(user):
        options.insert(0, (stored, f"{EventStatus(stored).label} (statut actuel)"))
    return options


def import_status_refusal(user, status):
    """Why an import may not give this status, or None."""
    if status == EventStatus.RETURNED:
        return RETURNED_IS_NOT_IMPORTED
    if status not in status_choices(user):
        return PARTNERS_NEVER_VALIDATE
    return None


def importable_statuses(user):
    """The statuses the account's files may give a new event, in the workflow's order."""
    return [
        status
        for status in (EventStatus.DRAFT, EventStatus.SUBMITTED, EventStatus.VALIDATED)
        if import_status_refusal(user, status) is None
    ]


def status_refusal(user, stored, chosen, closed_year=False):
    """Why the account may not move an event from `stored` (None: a new event) to
    `chosen` by editing it, or None if it may."""
    if chosen == stored:
        return None
    if chosen not in status_choices(user):
        return RETURNED_IS_NOT_CHOSEN if chosen == EventStatus.RETURNED else PARTNERS_NEVER_VALIDATE
    if chosen == EventStatus.VALIDATED and stored == EventStatus.RETURNED:
        return VALIDATE_A_RETURNED_EVENT
    if chosen == EventStatus.RETURNED:
        if stored not in RETURN.from_statuses:
            return "Seule une action soumise ou validée peut être renvoyée pour correction."
        if closed_year:
            return (
                "Une action d'une année clôturée ne peut plus être renvoyée au partenaire, "
                "qui ne pourrait pas la corriger."
            )
    return None


def status_after_edit(user, stored, chosen, changed):
    """The status an edit leaves: what the account chose, except that a partner's
    change to a validated event sends it back to « soumise » (or the draft they
    chose), and a partner's save that changes nothing leaves it validated."""
    if can_validate(user) or stored != EventStatus.VALIDATED:
        return chosen
    if not changed:
        return EventStatus.VALIDATED
    return chosen if chosen in PARTNER_STATUSES else EventStatus.SUBMITTED


def apply_edit(event, user, stored, chosen, changed, comment=""):
    """Sets the status an edit leaves, with its side effects and the history's
    reason; returns the French notice to show when the edit sent a validated event
    back for validation."""
    status = status_after_edit(user, stored, chosen, changed)
    if status == stored:
        event.status = status
        return None
    set_status(event, status, user, comment)
    if stored == EventStatus.VALIDATED and not can_validate(user):
        event._change_reason = DEMOTED_REASON
        return DEMOTED
    if reason := status_reason(status, comment):
        event._change_reason = reason
    return None


def status_after_import(user, recorded, requested, content_changed):
    """An import completes what is recorded: it never moves an event back along the
    workflow, and a partner's change to a validated event sends it back."""
    status = recorded
    if requested and PROGRESS[requested] > PROGRESS[recorded]:
        status = requested
    return status_after_edit(user, recorded, status, content_changed or status != recorded)
