"""The party's price lists: the list (current ones first, a tab of the current and one of the archived,
sort, pages, its export), one price list's items (search, sort, pages, their export) and its PDF."""
from datetime import date

from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import Date, func, literal

from portal.finance.models import PriceList, PriceListItem, PriceListStatus
from portal.finance.models.price_lists import status_conditions, status_rank
from portal.finance.resources import PriceListResource, PriceListsContainer
from portal.finance.services.documents import UNSAFE_IN_NAME
from portal.finance.services.price_lists import price_list_items, price_with_vat
from portal.i18n import _, translate
from portal.pdf import PDF_TYPE, pdf_renderer
from portal.security.permissions import Permission
from portal.views.downloads import content_disposition
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column

PDF_TEMPLATE = "portal:finance/templates/price_list_pdf.pt"
STATUS_TITLES = {
    PriceListStatus.current: _("Current"),
    PriceListStatus.archived: _("Archived"),
    PriceListStatus.future: _("Not yet valid"),
}
SHOWN_STATUSES = (PriceListStatus.current, PriceListStatus.archived)
# An open end sorts after every end there is, on every database (NULLs sort first or last by backend).
OPEN_END = func.coalesce(PriceList.valid_to, literal(date.max, Date))


def status_filter(request, value):
    return status_conditions(request.context.today)[PriceListStatus(value)]


def list_columns(request):
    today = request.context.today
    return (
        Column(_("Price list"), "name", width=48),
        Column(_("Currency"), "currency", width=8),
        Column(_("Valid from"), "valid_from", kind="date", width=12),
        Column(_("Valid to"), "valid_to", kind="date", width=12),
        Column(_("Status"), lambda r: STATUS_TITLES[r.status_on(today)], width=14),
    )


@view_config(context=PriceListsContainer, name="", attr="page", permission=Permission.PriceListsView,
             request_method=("GET", "HEAD"), renderer="portal:finance/templates/price_lists.pt")
@view_config(context=PriceListsContainer, name="export.xlsx", attr="export", permission=Permission.PriceListsView,
             request_method=("GET", "HEAD"))
class PriceListList(ListView):
    """The price lists the party is shown, the current ones first; ``status`` keeps one kind."""

    spec = ListSpec(
        columns=list_columns,
        sorts={"name": PriceList.name, "from": PriceList.valid_from, "to": OPEN_END},
        default_sort="-from", tiebreak=PriceList.id.desc(),
        filters={"status": (status_filter, {status.value for status in SHOWN_STATUSES})},
        search=(PriceList.name,),
        title=_("Price lists"), ascii_name="price-lists",
    )

    def statement(self):
        return self.context.query()

    def order(self, statement):
        """The current lists first, each kind in the chosen order."""
        return super().order(statement.order_by(status_rank(self.context.today)))

    def extra(self, page):
        here = self.request.resource_url(self.context)
        query = {"q": self.q} if self.q else {}
        tabs = [(None, _("All"), self.request.resource_url(self.context, query=query))] + [
            (status.value, STATUS_TITLES[status],
             self.request.resource_url(self.context, query=dict(query, status=status.value)))
            for status in SHOWN_STATUSES]
        return {"today": self.context.today, "statuses": STATUS_TITLES, "tabs": tabs,
                "status": self.filters.get("status"), "here_url": here}


def item_columns(request):
    currency = request.context.price_list.currency
    return (
        Column(_("Code"), "code", width=14),
        Column(_("Service"), "name", width=60),
        Column(_("Unit"), "unit", width=10),
        Column(translate(request, _("Price without VAT, ${currency}", mapping={"currency": currency})), "price",
               kind="decimal", width=16),
        Column(_("VAT rate, %"), "vat_rate", kind="decimal", width=10),
        Column(translate(request, _("Price with VAT, ${currency}", mapping={"currency": currency})),
               lambda item: price_with_vat(item.price, item.vat_rate), kind="decimal", width=16),
    )


def file_title(request, price_list) -> str:
    """The price list's name as part of a file's name, after "Price list" in the user's language."""
    stem = UNSAFE_IN_NAME.sub("-", price_list.name).strip(" .-") or str(price_list.id)
    return translate(request, _("Price list ${name}", mapping={"name": stem}))


@view_config(context=PriceListResource, name="", attr="page", permission=Permission.PriceListsView,
             request_method=("GET", "HEAD"), renderer="portal:finance/templates/price_list.pt")
@view_config(context=PriceListResource, name="export.xlsx", attr="export", permission=Permission.PriceListsView,
             request_method=("GET", "HEAD"))
class PriceListItems(ListView):
    """One price list: its items in their order, searched by code or name; the export holds them all."""

    spec = ListSpec(
        columns=item_columns,
        sorts={"position": PriceListItem.position, "code": PriceListItem.code, "name": PriceListItem.name,
               "price": PriceListItem.price},
        default_sort="position", tiebreak=PriceListItem.id,
        search=(PriceListItem.code, PriceListItem.name),
        title=lambda request: file_title(request, request.context.price_list),
        ascii_name="price-list",
    )

    def statement(self):
        return price_list_items(self.context.price_list.id)

    def extra(self, page):
        price_list = self.context.price_list
        return {"price_list": price_list, "status": price_list.status_on(self.context.today),
                "statuses": STATUS_TITLES, "with_vat": price_with_vat}


@view_config(context=PriceListResource, name="pdf", permission=Permission.PriceListsView,
             request_method=("GET", "HEAD"))
def price_list_pdf(context, request):
    """The whole price list as a PDF on the company's letterhead, in the user's language."""
    price_list = context.price_list
    values = {"price_list": price_list, "items": price_list.items, "party": context.party,
              "status": price_list.status_on(context.today), "statuses": STATUS_TITLES, "with_vat": price_with_vat}
    body = pdf_renderer(request.registry).render(PDF_TEMPLATE, values, request)
    response = Response(body=body, content_type=PDF_TYPE)
    response.headers["Content-Disposition"] = content_disposition(
        f"{file_title(request, price_list)}.pdf", f"price-list-{price_list.id}.pdf")
    return response
