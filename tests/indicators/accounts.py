"""Accounts in the real groups that the roles migration creates."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def user_in(group_name, username, *, organisations=()):
    """A staff account in one of feminisation.access' groups, member of the given
    partner organisations (for the partners' group)."""
    user = get_user_model().objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    for partner in organisations:
        partner.members.add(user)
    return user
