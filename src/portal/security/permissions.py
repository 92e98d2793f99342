"""Every permission a view may ask for, named ``<area>:<action>``."""
import enum


class Permission(enum.StrEnum):
    # Pages anyone may open: login, language choice, error pages.
    Public = "public"
    # The logged-in user's own account.
    AccountView = "account:view"
    AccountEdit = "account:edit"
    # The list of parties a user may see (own parties, or a staff directory).
    PartiesList = "parties:list"
    # One party's home and everything a customer reads on it.
    PartyView = "party:view"
    # Administration of users.
    AdminUsers = "admin:users"
    AdminAudit = "admin:audit"
