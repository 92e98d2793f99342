"""``ListSpec`` and ``ListView``: filters taken only when allowed, conditions, per-request values, the query."""
from types import SimpleNamespace

from sqlalchemy import literal_column, select

from portal.parties.models import Party
from portal.views.listing import ANY_ID, ListSpec, ListView
from tests.factories import PartyFactory


def tax_id_prefix(request, value):
    return Party.tax_id.like(value + "%")


class PartyList(ListView):
    spec = ListSpec(
        columns=(),
        sorts=lambda request: {"name": Party.name, "tax_id": Party.tax_id},
        default_sort="name", tiebreak=Party.id,
        filters={
            "id": (Party.id, ANY_ID),
            "prefix": (tax_id_prefix, lambda request: request.prefixes),
            "later": (None, {"yes"}),
        },
    )

    def statement(self):
        return select(Party)


def listing(params, prefixes=("77", "88")):
    return PartyList(None, SimpleNamespace(params=params, prefixes=set(prefixes)))


def names(dbsession, view):
    return [p.name for p in dbsession.scalars(view.listed())]


def test_only_allowed_filter_values_filter(dbsession):
    a = PartyFactory(name="A", tax_id="7700000001")
    PartyFactory(name="B", tax_id="8800000002")
    assert listing({"id": str(a.id), "sort": "name"}).filters == {"id": str(a.id)}
    assert names(dbsession, listing({"id": str(a.id)})) == ["A"]
    for bad in ("abc", "-1", "0", "99999999999", "²"):
        assert listing({"id": bad}).filters == {}  # ignored: the whole list, and no error from the database
    assert listing({"prefix": "77"}).filters == {"prefix": "77"}
    assert listing({"prefix": "99"}, prefixes=("77",)).filters == {}  # allowed values computed per request
    assert "A" in names(dbsession, listing({"prefix": "77"})) and "B" not in names(dbsession, listing({"prefix": "77"}))


def test_a_filter_without_a_column_is_read_but_left_to_the_statement(dbsession):
    view = listing({"later": "yes", "q": "ignored without search columns"})
    assert view.filters == {"later": "yes"} and view.q == ""
    assert "WHERE" not in str(view.listed())


def test_the_query_gives_the_list_again_without_the_page():
    view = listing({"prefix": "88", "sort": "-tax_id", "page": "3"})
    assert view.query == {"prefix": "88", "sort": "-tax_id"}
    assert listing({"sort": "password_hash"}).sort.value == "name"


def test_a_sort_may_name_a_column_of_the_statement(dbsession):
    class Rows(ListView):
        spec = ListSpec(columns=(), sorts={"label": "label"}, default_sort="-label", tiebreak="id", scalars=False)

        def statement(self):
            return select(Party.id, Party.name.label("label"), literal_column("1").label("one"))

    PartyFactory(name="First")
    PartyFactory(name="Second")
    rows = dbsession.execute(Rows(None, SimpleNamespace(params={})).listed()).all()
    labels = [r.label for r in rows if r.label in ("First", "Second")]
    assert labels == ["Second", "First"]


def test_the_listed_statement_is_built_once_per_view():
    """The invoice list's page and its totals both page ``listed()``: its filters were built twice."""
    built = []

    class Counted(PartyList):
        def statement(self):
            built.append(1)
            return super().statement()

    view = Counted(None, SimpleNamespace(params={"prefix": "77", "sort": "-name"}, prefixes={"77"}))
    assert view.listed() is view.listed()
    assert len(built) == 1
    assert "tax_id LIKE" in str(view.listed()) and "DESC" in str(view.listed())
