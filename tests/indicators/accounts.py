"""Accounts in the real groups that the roles migration creates."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.territories.factories import TerritoryFactory


def user_in(group_name, username, *, organisations=(), territories=None):
    """A staff account in one of feminisation.access' groups, member of the given
    partner organisations (for the partners' group) and territories (the seed
    territory unless told)."""
    user = get_user_model().objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    for territory in (TerritoryFactory(),) if territories is None else territories:
        territory.members.add(user)
    for partner in organisations:
        partner.members.add(user)
    return user
