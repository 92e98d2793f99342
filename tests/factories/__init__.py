"""factory_boy factories of the models; each flushes so ids exist at once."""
import functools
from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

from portal.identity.models import User, UserRole
from portal.identity.passwords import Argon2PasswordService
from portal.parties.models import Contract, ManagerAssignment, Membership, Party
from portal.requests.models import RequestType
from portal.staff.models import StaffGroup, StaffGroupMember
from portal.tickets.models import SlaPolicy

# Cheap parameters: tests hash many passwords; production ones come from settings.
TEST_PASSWORDS = Argon2PasswordService(time_cost=1, memory_cost=8, parallelism=1)
DEFAULT_PASSWORD = "Correct-horse-42"

_FACTORIES = []


def bind(session):
    """Point every factory at this test's session (None to unbind)."""
    for f in _FACTORIES:
        f._meta.sqlalchemy_session = session


def registered(cls):
    _FACTORIES.append(cls)
    return cls


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"


@registered
class PartyFactory(Base):
    class Meta:
        model = Party

    name = factory.Sequence(lambda n: f"Party {n:04d}")
    tax_id = factory.Sequence(lambda n: f"{7700000000 + n}")
    address = factory.Sequence(lambda n: f"Street {n}")
    external_id = factory.Sequence(lambda n: f"EXT-{n:05d}")


@registered
class ContractFactory(Base):
    class Meta:
        model = Contract

    party = factory.SubFactory(PartyFactory)
    number = factory.Sequence(lambda n: f"C-{n:05d}")
    valid_from = date(2024, 1, 1)


@registered
class UserFactory(Base):
    class Meta:
        model = User

    login = factory.Sequence(lambda n: f"user{n:04d}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n:04d}")
    email = factory.LazyAttribute(lambda u: f"{u.login}@example.test")
    password_hash = factory.LazyFunction(lambda: TEST_PASSWORDS.hash(DEFAULT_PASSWORD))

    @factory.post_generation
    def notify(user, create, channel, **kw):
        """``notify="portal"`` (or another channel): the user chose it for every kind that offers it."""
        if not channel:
            return
        from portal.notifications.kinds import KINDS
        from portal.notifications.models import NotificationPreference

        session = UserFactory._meta.sqlalchemy_session
        session.add_all(NotificationPreference(user_id=user.id, kind=kind.name, channel=channel)
                        for kind in KINDS.values() if channel in kind.channels)
        session.flush()


@registered
class MembershipFactory(Base):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    party = factory.SubFactory(PartyFactory)
    state = "active"


@registered
class UserRoleFactory(Base):
    class Meta:
        model = UserRole

    user = factory.SubFactory(UserFactory)
    role = "backoffice"


@registered
class ManagerAssignmentFactory(Base):
    class Meta:
        model = ManagerAssignment

    user_id = None
    party_id = None


@registered
class StaffGroupFactory(Base):
    class Meta:
        model = StaffGroup

    name = factory.Sequence(lambda n: f"Group {n:03d}")


@registered
class StaffGroupMemberFactory(Base):
    class Meta:
        model = StaffGroupMember

    group_id = None
    user_id = None


@registered
class RequestTypeFactory(Base):
    class Meta:
        model = RequestType

    code = factory.Sequence(lambda n: f"type{n:03d}")
    names = factory.LazyAttribute(lambda t: {"en": f"Type {t.code}", "ru": f"Тип {t.code}"})
    group_id = None
    default_priority = "normal"
    due_hours = 48


@registered
class SlaPolicyFactory(Base):
    class Meta:
        model = SlaPolicy

    priority = "normal"
    resolve_hours = 72
    business_hours = False


def customer(party=None, **kw):
    """A customer user with an active membership of ``party`` (a new one if None)."""
    user = UserFactory(**kw)
    MembershipFactory(user=user, party=party or PartyFactory())
    return user


def staff(role, group=None, **kw):
    """A staff user with ``role``, optionally a member of staff ``group``."""
    user = UserFactory(**kw)
    UserRoleFactory(user=user, role=role)
    if group is not None:
        StaffGroupMemberFactory(group_id=group.id, user_id=user.id)
    return user


@functools.cache
def app_registry():
    """The registry of a configured portal (party grants and children, work kinds), for trees that
    tests build by hand instead of traversing."""
    import portal
    from tests.conftest import TEST_SETTINGS

    return portal.main({}, **dict(TEST_SETTINGS, **{"sqlalchemy.url": "sqlite://"})).registry


def party_container(session, parent=None):
    """``/p/`` over ``session``, as traversal makes it."""
    from portal.parties.resources import PartyContainer

    return PartyContainer(parent, session, app_registry())
