"""The one place where principal strings are made."""
from dataclasses import dataclass

from pyramid.authorization import Authenticated, Everyone


def user_principal(user_id: int) -> str:
    return f"user:{user_id}"


def role_principal(role: str) -> str:
    return f"role:{role}"


def party_principal(party_id: int) -> str:
    return f"party:{party_id}"


def party_role_principal(party_id: int, role: str) -> str:
    """An active member of ``party_id`` acting in ``role`` there (parties/models.py: MembershipRole)."""
    return f"party:{party_id}:{role}"


def manager_principal(party_id: int) -> str:
    return f"manager-of:{party_id}"


def group_principal(group_id: int) -> str:
    return f"group:{group_id}"


@dataclass(frozen=True)
class Identity:
    """What the security policy knows about the logged-in user for one request."""

    user: object
    auth_session_id: str
    roles: frozenset[str]
    party_ids: frozenset[int]
    managed_party_ids: frozenset[int]
    group_ids: frozenset[int] = frozenset()
    # (party id, role) for each role the user acts in at each party of ``party_ids``.
    party_roles: frozenset[tuple[int, str]] = frozenset()

    @property
    def is_staff(self) -> bool:
        return bool(self.roles)

    def has_role(self, role: str) -> bool:
        return role in self.roles


def api_principal(scope: str) -> str:
    return f"api:{scope}"


@dataclass(frozen=True)
class ApiKeyIdentity:
    """An ``/api/`` request's API key. It is no user: it gets neither Authenticated nor a user's
    principals, only ``api:<scope>``, which the API's ACL alone grants anything to."""

    key_id: int
    name: str
    scope: str


def principals_for(identity: "Identity | ApiKeyIdentity | None") -> list[str]:
    """Everyone, plus Authenticated, the user, its roles, parties (and its roles in each), managed
    parties and staff groups;
    for an API key, Everyone and its scope's principal only."""
    principals = [Everyone]
    if identity is None:
        return principals
    if isinstance(identity, ApiKeyIdentity):
        principals.append(api_principal(identity.scope))
        return principals
    principals.append(Authenticated)
    principals.append(user_principal(identity.user.id))
    principals.extend(role_principal(r) for r in sorted(identity.roles))
    principals.extend(party_principal(p) for p in sorted(identity.party_ids))
    principals.extend(party_role_principal(p, role) for p, role in sorted(identity.party_roles))
    principals.extend(manager_principal(p) for p in sorted(identity.managed_party_ids))
    principals.extend(group_principal(g) for g in sorted(identity.group_ids))
    return principals
