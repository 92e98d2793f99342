"""``member_sees_party``, the batch form of the party page's rule for a party's own active members, says
what ``sees_parties`` says for them: whether the party is blocked, whatever role or assignment the member
holds besides (a blocked party's members see it only as staff of every party or as its manager)."""
import itertools

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal.parties.models import Membership, Party, PartyState
from portal.parties.services import member_sees_party, sees_parties
from tests.factories import ManagerAssignmentFactory, MembershipFactory, PartyFactory, UserFactory, UserRoleFactory

CASES = list(itertools.product([PartyState.active.value, PartyState.blocked.value],
                               [None, "backoffice", "manager"], [False, True]))


@pytest.mark.parametrize(("party_state", "role", "manages"), CASES)
def test_a_member_sees_its_party_as_the_page_rule_says(dbsession, party_state, role, manages):
    party = PartyFactory(state=party_state)
    user = UserFactory()
    MembershipFactory(user=user, party=party)
    if role is not None:
        UserRoleFactory(user=user, role=role)
    if manages:
        ManagerAssignmentFactory(user_id=user.id, party_id=party.id)
    dbsession.flush()
    member, its_party = aliased(Membership), aliased(Party)
    narrowed = dbsession.scalar(select(member_sees_party(member, its_party))
                                .select_from(member).join(its_party, its_party.id == member.party_id)
                                .where(member.user_id == user.id, member.party_id == party.id))
    page_rule = dbsession.scalar(select(sees_parties(user.id, [party.id])))
    assert bool(narrowed) == bool(page_rule)
    assert bool(page_rule) == (party_state == PartyState.active.value or role == "backoffice" or manages)
