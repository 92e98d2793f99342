"""Roles per-state ACLs may name, resolved from an item to principals."""
from portal.security.principals import group_principal, manager_principal, party_principal, user_principal


def author(item):
    return [user_principal(item.author_id)] if item.author_id else []


def assignee(item):
    return [user_principal(item.assignee_id)] if item.assignee_id else []


def group(item):
    return [group_principal(item.group_id)] if item.group_id else []


def party(item):
    return [party_principal(item.party_id)]


def managers(item):
    return [manager_principal(item.party_id)]


ROLES = {"author": author, "assignee": assignee, "group": group, "party": party, "managers": managers}
