"""The party list (a customer's own parties, or the staff directory) and the party home."""
from pyramid.view import view_config
from sqlalchemy import select

from portal.i18n import _
from portal.parties.directives import party_panels, party_tiles
from portal.parties.models import Contract, Party
from portal.parties.resources import PartyContainer, PartyResource, visible_parties_query
from portal.security.permissions import Permission
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column


def directory_title(request):
    return _("Parties") if request.identity.is_staff else _("My companies")


@view_config(context=PartyContainer, name="", attr="page", permission=Permission.PartiesList,
             request_method=("GET", "HEAD"), renderer="portal:parties/templates/directory.pt")
@view_config(context=PartyContainer, name="export.xlsx", attr="export", permission=Permission.PartiesList,
             request_method=("GET", "HEAD"))
class PartyDirectory(ListView):
    """The parties this user may list (a customer's own, a manager's assigned, every one for the
    rest of staff): the page and its export, searched by name, tax id or accounting id."""

    spec = ListSpec(
        columns=(
            Column(_("Name"), "name", width=40),
            Column(_("Tax id"), "tax_id", width=16),
            Column(_("Address"), "address", width=50),
            Column(_("Accounting id"), "external_id", width=20),
        ),
        sorts={"name": Party.name, "tax_id": Party.tax_id, "id": Party.id},
        default_sort="name", tiebreak=Party.id,
        search=(Party.name, Party.tax_id, Party.external_id),
        title=directory_title, ascii_name="parties",
        shown=("id", "name", "tax_id", "address", "state"),
    )

    def statement(self):
        return visible_parties_query(self.request.identity)

    def extra(self, page):
        return {"is_staff": self.request.identity.is_staff}


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
        "panels": party_panels(request, context),
    }
