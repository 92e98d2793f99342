"""The party list (a customer's own parties, or the staff directory) and the party home."""
from pyramid.view import view_config
from sqlalchemy import or_, select

from ..models import Contract, Party
from ..modules import party_tiles
from ..resources import PartyContainer, PartyResource
from ..resources.parties import visible_parties_query
from ..security.permissions import Permission
from ..services.pagination import Page, SortSpec, parse_page

SORTS = {"name": Party.name, "tax_id": Party.tax_id, "id": Party.id}
MAX_QUERY = 100


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@view_config(context=PartyContainer, name="", permission=Permission.PartiesList,
             request_method=("GET", "HEAD"), renderer="portal:templates/parties/directory.pt")
def party_directory(context, request):
    identity = request.identity
    q = request.params.get("q", "").strip()[:MAX_QUERY]
    sort = SortSpec.parse(request.params.get("sort"), SORTS, "name")
    statement = visible_parties_query(identity)
    if q:
        pattern = "%" + escape_like(q.lower()) + "%"
        statement = statement.where(
            or_(
                Party.name.ilike(pattern, escape="\\"),
                Party.tax_id.ilike(pattern, escape="\\"),
                Party.external_id.ilike(pattern, escape="\\"),
            )
        )
    column = SORTS[sort.key]
    statement = statement.order_by(column.desc() if sort.descending else column.asc(), Party.id)
    page = Page(request.dbsession, statement, page=parse_page(request.params.get("page")))
    return {"page": page, "q": q, "sort": sort, "is_staff": identity.is_staff}


@view_config(context=PartyResource, name="", permission=Permission.PartyView,
             request_method=("GET", "HEAD"), renderer="portal:templates/parties/home.pt")
def party_home(context, request):
    party = context.party
    db = request.dbsession
    contracts = db.scalars(
        select(Contract).where(Contract.party_id == party.id).order_by(Contract.valid_from.desc(), Contract.id)
    ).all()
    # Related parties of a holding are shown only where this user may open them.
    container = context.__parent__
    related = []
    if party.parent_id is not None:
        related.append(("parent", db.get(Party, party.parent_id)))
    children = db.scalars(select(Party).where(Party.parent_id == party.id).order_by(Party.name)).all()
    related.extend(("child", child) for child in children)
    related = [
        (kind, p) for kind, p in related
        if p is not None and request.has_permission(Permission.PartyView, PartyResource(p, container))
    ]
    return {
        "party": party,
        "contracts": contracts,
        "related": related,
        "tiles": party_tiles(request, context),
    }
