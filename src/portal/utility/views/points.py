"""``/p/<id>/supply-points/``: the party's supply points and their export; one supply point with its
contract (and the contract's document), meters, registers and consumption history (a table and an
SVG chart); staff switch its self-readings on and off."""
from dataclasses import dataclass

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import FileResponse
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.attachments.services import IAttachmentService
from portal.audit.interfaces import IAuditService
from portal.formats import format_date
from portal.i18n import YES_NO, _, titles, translate
from portal.parties.models import Contract
from portal.security.permissions import Permission
from portal.utility.chart import Series, bar_chart
from portal.utility.models import Medium, Meter, SupplyPoint, SupplyPointState
from portal.utility.plausibility import number
from portal.utility.resources import SupplyPointResource, SupplyPointsContainer
from portal.utility.services import (
    consumption_history,
    contract_document,
    last_accepted,
    set_self_readings,
    waiting_readings,
)
from portal.utility.views import MEDIA, POINT_STATES, medium_title, point_state_title
from portal.views.downloads import content_disposition
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column


def export_columns(request):
    return (
        Column(_("Accounting id"), lambda r: r.SupplyPoint.external_id, width=20),
        Column(_("Address"), lambda r: r.SupplyPoint.address, width=44),
        Column(_("Medium"), lambda r: medium_title(r.SupplyPoint.medium), width=14),
        Column(_("Tariff"), lambda r: r.SupplyPoint.tariff, width=20),
        Column(_("Contract"), "contract_number", width=16),
        Column(_("State"), lambda r: point_state_title(r.SupplyPoint.state), width=14),
        Column(_("Self-readings"), lambda r: YES_NO[bool(r.SupplyPoint.self_readings)], width=14),
    )


@view_config(context=SupplyPointsContainer, name="", attr="page", permission=Permission.SupplyPointsView,
             request_method=("GET", "HEAD"), renderer="portal:utility/templates/points.pt")
@view_config(context=SupplyPointsContainer, name="export.xlsx", attr="export",
             permission=Permission.SupplyPointsView, request_method=("GET", "HEAD"))
class SupplyPointList(ListView):
    """The party's supply points, filtered by medium and state, searched by address and accounting id:
    the page (rows of the ``shown`` columns) and its export (rows of a SupplyPoint and its contract_number)."""

    spec = ListSpec(
        columns=export_columns,
        sorts={"address": SupplyPoint.address, "medium": SupplyPoint.medium, "state": SupplyPoint.state,
               "tariff": SupplyPoint.tariff, "contract": Contract.number, "id": SupplyPoint.external_id},
        default_sort="address", tiebreak=SupplyPoint.id,
        filters={"medium": (SupplyPoint.medium, set(Medium)), "state": (SupplyPoint.state, set(SupplyPointState))},
        search=(SupplyPoint.address, SupplyPoint.external_id),
        title=_("Supply points"), ascii_name="supply-points", scalars=False,
        shown=("id", "address", "medium", "tariff", "state", "self_readings", "external_id", "contract_number"),
    )

    def statement(self):
        query = self.context.query()
        return (query.add_columns(Contract.number.label("contract_number"))
                .outerjoin(Contract, Contract.id == SupplyPoint.contract_id))

    def extra(self, page):
        return {"media": titles(self.request, MEDIA), "state_titles": titles(self.request, POINT_STATES),
                "yes_no": titles(self.request, YES_NO)}


@dataclass
class MeterHistory:
    """What the supply point's page shows of one meter."""

    meter: Meter
    last: object  # its last accepted Reading, or None
    waiting: object  # its reading waiting for review, or None
    readings: list  # accepted readings, oldest first
    chart: str | None  # the SVG, None without consumption to draw

    def value(self, reading, register):
        """The ReadingValue of ``register`` in ``reading``, or None."""
        return next((v for v in reading.values if v.register_id == register.id), None)


def consumption_chart(request, meter, readings) -> str | None:
    """The meter's consumption per reading, a series per register; None when nothing was consumed yet."""
    locale = request.locale_name
    with_consumption = [r for r in readings if any(v.consumption is not None for v in r.values)]
    if not with_consumption or not meter.registers:
        return None
    series = []
    for register in meter.registers:
        by_register = [next((v.consumption for v in r.values if v.register_id == register.id), None)
                       for r in with_consumption]
        series.append(Series(register.name, by_register))
    return bar_chart(
        [format_date(r.reading_date, locale, "short") for r in with_consumption], series,
        title=translate(request, _("Consumption of meter ${serial}", mapping={"serial": meter.serial_number})),
        unit=meter.registers[0].unit, format_number=lambda value: number(value, locale))


@view_config(context=SupplyPointResource, name="", permission=Permission.SupplyPointsView,
             request_method=("GET", "HEAD"), renderer="portal:utility/templates/point.pt")
def supply_point(context, request):
    db, point = request.dbsession, context.point
    meters = db.scalars(
        select(Meter).where(Meter.supply_point_id == point.id, Meter.party_id == point.party_id)
        .options(selectinload(Meter.registers)).order_by(Meter.removed_on.is_not(None), Meter.id)
    ).all()
    ids = [m.id for m in meters]
    last, waiting = last_accepted(db, ids), waiting_readings(db, ids)
    histories = []
    for meter in meters:
        readings = consumption_history(db, meter)
        histories.append(MeterHistory(meter, last.get(meter.id), waiting.get(meter.id), readings,
                                      consumption_chart(request, meter, readings)))
    document = contract_document(request.find_service(IAttachmentService), point)
    return {
        "point": point,
        "histories": histories,
        "document": document,
        "medium": medium_title(point.medium),
        "state": point_state_title(point.state),
        "self_readings_open": point.self_readings and point.state == SupplyPointState.active,
        "can_submit": bool(request.has_permission(Permission.ReadingsSubmit, context)),
        "can_manage": bool(request.has_permission(Permission.SupplyPointsManage, context)),
        "number": lambda value: "—" if value is None else number(value, request.locale_name),
    }


def ascii_name(filename: str, contract_id: int) -> str:
    """The document's name for clients that cannot read RFC 5987: its own when plain ASCII, else
    ``contract-<id>.<ext>``."""
    if filename.isascii() and any(c.isalnum() for c in filename.rsplit(".", 1)[0]):
        return filename
    extension = filename.rsplit(".", 1)[-1] if "." in filename else ""
    return f"contract-{contract_id}.{extension if extension.isascii() and extension.isalnum() else 'bin'}"


@view_config(context=SupplyPointResource, name="contract", permission=Permission.SupplyPointsView,
             request_method=("GET", "HEAD"))
def contract_download(context, request):
    """The contract's document, always as a download (a stored file never opens as a page of the portal)."""
    service = request.find_service(IAttachmentService)
    document = contract_document(service, context.point)
    if document is None:
        raise HTTPNotFound()
    response = FileResponse(service.path_for(document.sha256), request=request,
                            content_type=document.content_type.split(";")[0])
    response.headers["Content-Disposition"] = content_disposition(
        document.filename, ascii_name(document.filename, context.point.contract_id))
    return response


@view_config(context=SupplyPointResource, name="self-readings", permission=Permission.SupplyPointsManage,
             request_method="POST")
def switch_self_readings(context, request):
    """Staff allow or stop self-readings on the supply point (audited)."""
    allowed = {"true": True, "false": False}.get(request.POST.get("allowed", ""))
    if allowed is None:
        request.session.flash(translate(request, _("Choose whether self-readings are allowed.")), "error")
        return HTTPSeeOther(request.resource_url(context))
    changed = set_self_readings(request.find_service(IAuditService), context.point, allowed)
    if changed:
        message = _("Self-readings are now allowed here.") if allowed else _("Self-readings are now stopped here.")
        request.session.flash(translate(request, message), "success")
    return HTTPSeeOther(request.resource_url(context))
