"""What a logged-in list page costs the database: a fixed, small number of statements.

The login session, the user and its grants come in one statement; the pager
counts (boundedly) and reads one page; the header's counters are one more.
"""

import pytest

from tests.conftest import login, statements
from tests.factories import PartyFactory, UserFactory, customer, staff


@pytest.mark.parametrize("role, path, extra", [("head", "/p/?sort=name", 0),
                                               ("head", "/p/?sort=name&q=party", -1),  # a search counts nothing
                                               ("admin", "/admin/users/?sort=login", 1)])  # the licence's seats
def test_a_staff_list_page_runs_four_statements(testapp, dbsession, role, path, extra):
    for _ in range(60):
        PartyFactory()
        UserFactory()
    login(testapp, staff(role).login)
    testapp.get(path)
    with statements(dbsession) as seen:
        page = testapp.get(path)
    assert len(page.html.select("table.list tbody tr")) == 50
    # identity (session, user, roles, parties, groups); the bounded count; the page; the header counters
    assert len(seen) == 4 + extra, seen


def test_a_one_party_customer_page_asks_nothing_for_the_party_switcher(testapp, dbsession):
    login(testapp, customer().login)
    testapp.get("/p/")
    with statements(dbsession) as seen:
        page = testapp.get("/p/")
    assert len(page.html.select("table.list tbody tr")) == 1 and page.html.select_one("details.switcher") is None
    assert len(seen) == 4, seen  # identity; count; rows; header counters
