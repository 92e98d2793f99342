"""The party list (a customer's own parties, or the staff directory) and the party home."""
from pyramid.view import view_config
from sqlalchemy import select

from portal.i18n import _
from portal.parties.directives import party_tiles
from portal.parties.models import Contract, Party
from portal.parties.resources import PartyContainer, PartyResource, visible_parties_query
from portal.security.permissions import Permission
from portal.views.downloads import xlsx_download
from portal.views.listing import list_page
from portal.views.pagination import Listing
from portal.views.xlsx import Column

SORTS = {"name": Party.name, "tax_id": Party.tax_id, "id": Party.id}
SEARCH = (Party.name, Party.tax_id, Party.external_id)
EXPORT_COLUMNS = (
    Column(_("Name"), "name", width=40),
    Column(_("Tax id"), "tax_id", width=16),
    Column(_("Address"), "address", width=50),
    Column(_("Accounting id"), "external_id", width=20),
)


def directory_listing(identity, params) -> Listing:
    """The parties ``identity`` may list, searched and sorted as ``params`` say: the page and its export."""
    return Listing.build(
        visible_parties_query(identity), params,
        search=SEARCH, sorts=SORTS, default_sort="name", tiebreak=Party.id,
    )


def directory_title(identity):
    return _("Parties") if identity.is_staff else _("My companies")


@view_config(context=PartyContainer, name="", permission=Permission.PartiesList,
             request_method=("GET", "HEAD"), renderer="portal:parties/templates/directory.pt")
def party_directory(context, request):
    identity = request.identity
    listing = directory_listing(identity, request.params)
    page = list_page(request, listing.statement)
    return {
        "page": page,
        "q": listing.q,
        "sort": listing.sort,
        "is_staff": identity.is_staff,
        "export_url": request.resource_url(context, "export.xlsx", query=listing.query),
    }


@view_config(context=PartyContainer, name="export.xlsx", permission=Permission.PartiesList,
             request_method=("GET", "HEAD"))
def party_directory_export(context, request):
    """Every party of the directory as the page lists it (same scope, search and order), as .xlsx."""
    identity = request.identity
    listing = directory_listing(identity, request.params)
    return xlsx_download(
        request, listing.statement, EXPORT_COLUMNS,
        title=directory_title(identity), ascii_name="parties",
    )


@view_config(context=PartyResource, name="", permission=Permission.PartyView,
             request_method=("GET", "HEAD"), renderer="portal:parties/templates/home.pt")
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
