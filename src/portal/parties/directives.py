"""The directives a domain adds itself to a party with, each a config action with conflict detection.

- ``config.add_party_child(name, factory)``: ``/p/<id>/<name>/`` is ``factory(party_resource)``.
- ``config.add_party_grants(member=…, member_role=…, staff={role: …}, manager=…)``: what a party's own
  users (all of them, or those of one role in the party: ``member_role="finance"``), each staff role and
  the party's managers may do on it; a permission is granted by one package only.
- ``config.add_party_tile(name, title, view_name, permission, order)``: a link on the party home.
- ``config.add_party_panel(name, factory, renderer, order)``: a section of the party home.

A package switched off registers none of them, so the party knows nothing of it.
"""
from dataclasses import dataclass

from pyramid.exceptions import ConfigurationError
from pyramid.renderers import render

from portal.parties.models import MembershipRole

PARTY_CHILDREN = "portal.party_children"
PARTY_GRANTS = "portal.party_grants"
PARTY_TILES = "portal.party_tiles"
PARTY_PANELS = "portal.party_panels"


@dataclass(frozen=True)
class PartyTile:
    """A link on the party home to one section of a package."""

    name: str
    title: object  # a TranslationString
    view_name: str
    permission: str
    order: int = 100


@dataclass
class PartyGrants:
    """Who may do what on a party: every member, the members of each role in the party, each staff
    role, its managers (permission tuples)."""

    member: tuple = ()
    staff: dict = None
    manager: tuple = ()
    member_roles: dict = None

    def __post_init__(self):
        self.staff = dict(self.staff or {})
        self.member_roles = dict(self.member_roles or {})


def add_party_child(config, name, factory):
    def register():
        config.registry.setdefault(PARTY_CHILDREN, {})[name] = factory

    config.action(("portal.party_child", name), register)


def add_party_grants(config, *, member=(), member_role=None, staff=None, manager=()):
    """Grant permissions on every party; two packages granting one permission is a conflict.

    ``member_role`` (a ``MembershipRole`` but ``all``) gives ``member`` to the members acting in that
    role only (a membership of role ``all`` acts in every one); without it, to every active member.
    """
    roles = [r.value for r in MembershipRole if r != MembershipRole.all]
    if member_role is not None and member_role not in roles:
        raise ConfigurationError(f"member_role must be one of {roles}, not {member_role!r}")
    staff = {str(role): tuple(perms) for role, perms in (staff or {}).items()}
    permissions = set(member) | set(manager) | {p for perms in staff.values() for p in perms}

    def register():
        grants = config.registry.setdefault(PARTY_GRANTS, PartyGrants())
        if member_role is None:
            grants.member += tuple(member)
        else:
            role = str(member_role)
            grants.member_roles[role] = grants.member_roles.get(role, ()) + tuple(member)
        grants.manager += tuple(manager)
        for role, perms in staff.items():
            grants.staff[role] = grants.staff.get(role, ()) + perms

    # One discriminator per permission: the package that owns a permission grants it.
    for permission in sorted(permissions):
        config.action(("portal.party_grant", str(permission)), None)
    config.action(None, register, order=0)


def party_grants(registry) -> PartyGrants:
    return registry.get(PARTY_GRANTS) or PartyGrants()


def add_party_tile(config, name, title, view_name, permission, order=100):
    def register():
        config.registry.setdefault(PARTY_TILES, {})[name] = PartyTile(name, title, view_name, permission, order)

    config.action(("portal.party_tile", name), register)


def party_tiles(request, context):
    """The tiles of enabled packages that this user may open on this party."""
    tiles = sorted(request.registry.get(PARTY_TILES, {}).values(), key=lambda t: (t.order, t.name))
    return [t for t in tiles if request.has_permission(t.permission, context)]


@dataclass(frozen=True)
class PartyPanel:
    """A section of the party home: ``factory(party_resource, request)`` gives the values of its
    ``renderer`` (a template), or None when it has nothing to show this user."""

    name: str
    factory: object
    renderer: str
    order: int = 100


def add_party_panel(config, name, factory, renderer, order=100):
    factory = config.maybe_dotted(factory)

    def register():
        config.registry.setdefault(PARTY_PANELS, {})[name] = PartyPanel(name, factory, renderer, order)

    config.action(("portal.party_panel", name), register)


def party_panels(request, context) -> list[str]:
    """The party home's sections, rendered, of the enabled packages that have something to show."""
    panels = sorted(request.registry.get(PARTY_PANELS, {}).values(), key=lambda p: (p.order, p.name))
    rendered = []
    for panel in panels:
        values = panel.factory(context, request)
        if values is not None:
            rendered.append(render(panel.renderer, dict(values, context=context), request=request))
    return rendered


def includeme(config):
    config.add_directive("add_party_child", add_party_child)
    config.add_directive("add_party_grants", add_party_grants)
    config.add_directive("add_party_tile", add_party_tile)
    config.add_directive("add_party_panel", add_party_panel)
