"""Dedicated request types: filed only through a form of their own (finance's top-up invoice request),
never the general one, and shown only to whoever holds the permission their package names.

Said here, beside neither the services nor the resources, because both ask it: the general form
leaves the types out (services.py), a party's request list and item lookup hide their requests
from whoever may not see them (resources.py).
"""
DEDICATED_TYPES = "portal.requests.dedicated_types"


def add_dedicated_request_type(config, code: str, view_permission=None) -> None:
    """Keep request type ``code`` out of the general request form. With ``view_permission``, a party's
    requests of that type are shown only to whoever holds it on the party (a top-up request, to those
    who see its invoices: not to a member for operations)."""
    config.registry.setdefault(DEDICATED_TYPES, {})[code] = view_permission


def dedicated_codes(registry) -> list[str]:
    return sorted(registry.get(DEDICATED_TYPES, {}))


def hidden_types(registry, may) -> list[str]:
    """The dedicated types whose requests are not shown to someone ``may`` (permission -> bool) speaks for."""
    return sorted(code for code, permission in registry.get(DEDICATED_TYPES, {}).items()
                  if permission is not None and not may(permission))
