"""The history of accounts (every change to an account, who made it and when, with
its groups, organisations, territories and own permissions as they were), and the
e-mails each account accepts.

django-simple-history keeps the account's own fields. The memberships are kept as
names on each version, not as the package's m2m history: an account's
organisations are Partner.members, a relation the package cannot follow from the
account's side, and names read without a query per version (and stay what they
were when a partner is renamed). A change of memberships, from the account's form,
a partner's form or anywhere else, is a version of its own; the user admin saves
an account and its memberships as one version."""

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.signals import m2m_changed
from simple_history import register
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from partners.models import Partner
from territories.models import Territory

User = get_user_model()

MEMBERSHIPS = {
    # snapshot field → the relation it names
    "groups_names": User.groups.through,
    "organisations_names": Partner.members.through,
    "territories_names": Territory.members.through,
    "permissions_names": User.user_permissions.through,
}


class AccountMemberships(models.Model):
    """What each version of an account adds to the account's own fields."""

    groups_names = models.TextField("groupes", blank=True)
    organisations_names = models.TextField("organisations", blank=True)
    territories_names = models.TextField("territoires", blank=True)
    permissions_names = models.TextField("permissions individuelles", blank=True)

    class Meta:
        abstract = True


def memberships(account):
    return {
        "groups_names": ", ".join(sorted(account.groups.values_list("name", flat=True))),
        "organisations_names": ", ".join(
            sorted(str(partner) for partner in account.partner_organisations.all())
        ),
        "territories_names": ", ".join(sorted(account.territories.values_list("name", flat=True))),
        "permissions_names": ", ".join(
            sorted(
                f"{app_label}.{codename}"
                for app_label, codename in account.user_permissions.values_list(
                    "content_type__app_label", "codename"
                )
            )
        ),
    }


class AccountHistory(HistoricalRecords):
    def post_save(self, instance, created, using=None, **kwargs):
        # A login records the time of the login, which is not a change to the account.
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        pre_create_historical_record.connect(
            self.add_memberships, sender=sender.history.model, weak=False
        )
        for through in MEMBERSHIPS.values():
            m2m_changed.connect(self.memberships_changed, sender=through, weak=False)

    def add_memberships(self, instance, history_instance, **kwargs):
        if history_instance.history_type == "-":
            # Deleted with the account a moment ago: the last version says what they were.
            last = instance.history.order_by("-history_date", "-history_id").first()
            values = {name: getattr(last, name) for name in MEMBERSHIPS} if last else {}
        else:
            values = memberships(instance)
        for name, value in values.items():
            setattr(history_instance, name, value)

    def memberships_changed(self, sender, instance, action, pk_set, **kwargs):
        if action == "pre_clear" and not isinstance(instance, User):
            # Cleared from the group's, partner's, territory's or permission's side: which accounts
            # it touches is known only before.
            instance._cleared_accounts = list(
                sender.objects.filter(**{self._side(sender, instance): instance}).values_list(
                    "user_id", flat=True
                )
            )
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if isinstance(instance, User):
            accounts = [instance]
        else:
            if action == "post_clear":
                pk_set = instance.__dict__.pop("_cleared_accounts", ())
            accounts = User.objects.filter(pk__in=pk_set or ())
        for account in accounts:
            if not hasattr(account, "skip_history_when_saving"):
                self.create_historical_record(account, "~")

    @staticmethod
    def _side(through, instance):
        return next(
            field.name
            for field in through._meta.fields
            if field.is_relation and isinstance(instance, field.related_model)
        )

    def record(self, account, history_type="~"):
        """One version of the account as it is now, for a save whose parts were not
        recorded one by one (skip_history_when_saving)."""
        self.create_historical_record(account, history_type)


history = AccountHistory(
    # The password's hash is no one's to read, and a login is not a change.
    excluded_fields=["password", "last_login"],
    bases=[AccountMemberships],
    verbose_name="version de compte",
    verbose_name_plural="versions des comptes",
)
# register() builds its HistoricalRecords from a class; it is given this one, which
# the user admin asks to write one version per save.
register(User, app="accounts", records_class=lambda **config: history)


class NotificationKind(models.TextChoices):
    """The e-mails an account may turn off, each on its own; the value names the
    kind in an unsubscribe link."""

    STATUS_CHANGES = "statuts", "Changements de statut des actions"
    WEEKLY_REMINDERS = "rappels", "Récapitulatif de la semaine"


class NotificationSettings(models.Model):
    """The e-mails an account accepts. An account without a row gets them all: the
    row is written only when someone turns one off, so that no account created
    elsewhere (invitations, the user admin, createsuperuser) needs one. A model of
    its own because the accounts are Django's User, which takes no field."""

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
        verbose_name="compte",
    )
    status_changes = models.BooleanField(
        "changements de statut",
        default=True,
        help_text=(
            "Une action soumise (pour l'équipe du territoire), renvoyée pour correction ou "
            "validée (pour son organisateur)."
        ),
    )
    weekly_reminders = models.BooleanField(
        "récapitulatif de la semaine",
        default=True,
        help_text=(
            "Une fois par semaine, ce qui vous attend : actions à valider, à corriger, à compléter."
        ),
    )

    class Meta:
        verbose_name = "préférences de courriel"
        verbose_name_plural = "préférences de courriel"

    def __str__(self):
        return f"Courriels de {self.user}"

    FIELDS = {
        NotificationKind.STATUS_CHANGES: "status_changes",
        NotificationKind.WEEKLY_REMINDERS: "weekly_reminders",
    }

    @classmethod
    def for_user(cls, user):
        """The account's settings, unsaved defaults when it has none."""
        try:
            return user.notification_settings
        except cls.DoesNotExist:
            return cls(user=user)

    def accepts(self, kind):
        return getattr(self, self.FIELDS[kind])

    def turn_off(self, kind):
        setattr(self, self.FIELDS[kind], False)
        self.save()


def accepting(accounts, kind):
    """The active accounts with an address among `accounts` (a User queryset) that
    accept e-mails of this kind: one LEFT JOIN, no query per account."""
    field = NotificationSettings.FIELDS[kind]
    return (
        accounts.filter(is_active=True)
        .exclude(email="")
        .exclude(**{f"notification_settings__{field}": False})
    )
