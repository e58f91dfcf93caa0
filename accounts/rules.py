"""Which accounts an account may manage, decided in one place: the user admin's
list, forms, object permissions and saves, and the partners' « comptes de saisie »,
all ask here.

- Superusers manage every account, staff and managers included.
- The territory staff (the « change user » permission) manage partner accounts
  only: accounts that hold no power beyond the « Partenaires » group. They never
  reach a superuser, a staff member, a manager or an account given permissions of
  its own, and what they save is always a partner account.
- And only the partner accounts of their territories: an account they open belongs
  to their territory (to those they choose among theirs, when they have several),
  and they give no other territory. An account that also belongs to a territory
  they are not members of, they see but do not change (`may_change`). Only a
  superuser gives a group, the « Réseau national » included."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from feminisation.access import PARTNERS
from territories import scoping
from territories.models import Territory

User = get_user_model()


def manages_every_account(user):
    return user.is_active and user.is_superuser


def partner_accounts():
    """Accounts that no group but « Partenaires » and no permission of their own
    empower (an account in no group yet is one)."""
    other_groups = User.groups.through.objects.filter(user=OuterRef("pk")).exclude(
        group__name=PARTNERS
    )
    own_permissions = User.user_permissions.through.objects.filter(user=OuterRef("pk"))
    return (
        User.objects.filter(is_superuser=False)
        .exclude(Exists(other_groups))
        .exclude(Exists(own_permissions))
    )


def manageable_accounts(user, accounts=None):
    """The accounts `user` may see and change, narrowed from `accounts`."""
    accounts = User.objects.all() if accounts is None else accounts
    if manages_every_account(user):
        return accounts
    return scoping.visible_to(accounts.filter(pk__in=partner_accounts().values("pk")), user)


def changeable_accounts(user, accounts=None):
    """The accounts `user` may change (`may_change`), narrowed from `accounts`."""
    accounts = manageable_accounts(user, accounts)
    if manages_every_account(user):
        return accounts
    others = Territory.objects.exclude(pk__in=scoping.account_territories(user))
    return accounts.exclude(territories__in=others)


def may_manage(user, account):
    """Asked several times per page for one account: read once per request and
    kept on the account."""
    decided = account.__dict__.setdefault("_managed_by", {})
    if user.pk not in decided:
        decided[user.pk] = manages_every_account(user) or (
            account.pk is not None and manageable_accounts(user).filter(pk=account.pk).exists()
        )
    return decided[user.pk]


def may_change(user, account):
    """`may_manage`, and for staff only an account of no territory but theirs: the
    e-mail of an account that also belongs to another territory, changed, would let
    them sign in as it through a forgotten-password link and read that territory's
    events of its organisations. Kept on the account as `may_manage` is."""
    decided = account.__dict__.setdefault("_changed_by", {})
    if user.pk not in decided:
        decided[user.pk] = manages_every_account(user) or (
            may_manage(user, account)
            and not account.territories.exclude(pk__in=scoping.account_territories(user)).exists()
        )
    return decided[user.pk]


def givable_territories(user):
    """The territories `user` may give an account: every one for a superuser, else
    its own."""
    return Territory.objects.givable_by(user)


def partners_group():
    return Group.objects.get(name=PARTNERS)


def make_partner_account(account):
    """What staff save is a partner account, whatever the request said: it enters the
    admin (is_staff) to enter its events, and is never a superuser."""
    account.is_superuser = False
    account.is_staff = True
