"""Meter readings: the self-reading form of a supply point's meters, the party's readings and their
export, and one reading with its review (the workflow panel: accept, or reject with a reason)."""
import itertools
from dataclasses import dataclass, field
from datetime import datetime

import colander
import deform
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.db.ids import parse_id
from portal.formats import format_date
from portal.i18n import _, titles, translate
from portal.security.permissions import Permission
from portal.utility.models import Meter, Reading, ReadingValue, SupplyPoint, SupplyPointState
from portal.utility.plausibility import FORM, number
from portal.utility.policy import reading_policy
from portal.utility.resources import PointReadings, ReadingItem, ReadingsContainer
from portal.utility.schemas import reading_schema
from portal.utility.services import (
    ReadingRefused,
    active_meters,
    last_accepted,
    party_readings,
    submit_reading,
    waiting_readings,
)
from portal.utility.views import reading_state_title, values_text
from portal.utility.workflow import READING
from portal.views.forms import FormRefused, FormView
from portal.views.listing import ANY_ID, ListSpec, ListView
from portal.views.workflow import workflow_panel
from portal.views.xlsx import Column
from portal.workflows.services import IWorkflowService


def register_field(register) -> str:
    """The form field of a register (its code may be anything staff typed; its id is a name)."""
    return f"r{register.id}"


@dataclass
class MeterForm:
    """One meter on the self-reading page: its last accepted reading, the one waiting for review
    (then no form), the form, and what was implausible in what was just sent."""

    meter: Meter
    last: object
    waiting: object
    html: str | None
    issues: list = field(default_factory=list)


@view_config(context=PointReadings, name="new", attr="get", permission=Permission.ReadingsSubmit,
             request_method=("GET", "HEAD"), renderer="portal:utility/templates/reading_form.pt")
@view_config(context=PointReadings, name="new", attr="post", permission=Permission.ReadingsSubmit,
             request_method="POST", renderer="portal:utility/templates/reading_form.pt")
class NewReadingView(FormView):
    """A form per meter of the supply point, each with every register; ``?meter=<id>`` names the
    meter a form is for (one of another supply point is not found). Only a supply point staff
    opened for self-readings, and that is active, takes them."""

    buttons = (("submit", _("Send the reading")),)

    def __init__(self, context, request):
        super().__init__(context, request)
        db = request.dbsession
        self.point = context.point
        self.open = self.point.self_readings and self.point.state == SupplyPointState.active
        self.meters = active_meters(db, self.point)
        self.meter = self._chosen_meter()
        ids = [m.id for m in self.meters]
        self.last, self.waiting = last_accepted(db, ids), waiting_readings(db, ids)
        self.today = datetime.now(request.registry["portal_tz"]).date()
        self.issues = []
        self._forms = {}

    def _chosen_meter(self):
        raw = self.request.params.get("meter")
        if raw is None:
            return None
        meter_id = parse_id(raw)
        meter = next((m for m in self.meters if m.id == meter_id), None)
        if meter is None:
            raise HTTPNotFound()
        return meter

    def _description(self, register, last):
        locale = self.request.locale_name
        capacity = {"digits": register.integer_digits, "decimals": register.decimals}
        value = next((v.value for v in last.values if v.register_id == register.id), None) if last else None
        if value is None:
            return _("The meter shows ${digits} digits before the decimal point and ${decimals} after.",
                     mapping=capacity)
        return _("Previous: ${value} on ${date}. The meter shows ${digits} digits before the decimal point and "
                 "${decimals} after.",
                 mapping=dict(capacity, value=number(value, locale),
                                  date=format_date(last.reading_date, locale, "short")))

    def form_for(self, meter) -> deform.Form:
        if meter.id not in self._forms:
            last = self.last.get(meter.id)
            fields = [(register_field(r), f"{r.name}, {r.unit}", self._description(r, last)) for r in meter.registers]
            schema = reading_schema(fields).bind(request=self.request)
            self._forms[meter.id] = deform.Form(
                schema, buttons=tuple(deform.Button(*b) for b in self.buttons), formid=f"reading-{meter.id}",
                action=self.request.resource_url(self.context, "new", query={"meter": meter.id}),
                focus="on" if meter is self.meter else "off", counter=itertools.count(1000 * len(self._forms)))
        return self._forms[meter.id]

    def form(self):
        return self.form_for(self.meter)

    def appstruct(self):
        return {"reading_date": self.today}

    def page(self, form_html):
        forms = []
        for meter in self.meters if self.open else ():
            posted = form_html is not None and meter is self.meter
            if meter.id in self.waiting and not posted:
                html = None
            else:
                html = form_html if posted else self.form_for(meter).render(self.appstruct())
            forms.append(MeterForm(meter, self.last.get(meter.id), self.waiting.get(meter.id), html,
                                   self.issues if posted else []))
        return {"point": self.point, "open": self.open, "forms": forms,
                "number": lambda value: number(value, self.request.locale_name)}

    def get(self):
        return self.page(None)

    def post(self):
        if not self.open:
            self.request.response.status = 403
            return self.page(None)
        if self.meter is None:
            if len(self.meters) != 1:
                raise HTTPNotFound()
            self.meter = self.meters[0]
        return super().post()

    def refused_html(self, refused: ReadingRefused) -> str:
        """The meter's form again, each message on its field (a register's, the date's, the comment's)."""
        form = self.form()
        names = {r.code: register_field(r) for r in self.meter.registers}
        error = colander.Invalid(form.schema, refused.errors.get(FORM, ""))
        for key, message in refused.errors.items():
            if key != FORM:
                error[names.get(key, key)] = message
        form.widget.handle_error(form, error)
        return form.render()  # the values as sent (rendering form.cstruct would re-serialize them: dates fail)

    def success(self, appstruct, upload):
        request, meter = self.request, self.meter
        try:
            outcome = submit_reading(
                request.find_service(IWorkflowService), request.dbsession, meter=meter,
                author_id=request.authenticated_userid, reading_date=appstruct["reading_date"],
                typed={r.code: appstruct.get(register_field(r)) for r in meter.registers},
                comment=appstruct["comment"], policy=reading_policy(request.registry), today=self.today,
                locale=request.locale_name)
        except ReadingRefused as refused:
            self.issues = [translate(request, issue) for issue in refused.issues]
            raise FormRefused(self.refused_html(refused)) from None
        if outcome.accepted:
            message = _("Thank you: the reading is accepted.")
        else:
            message = _("Thank you: the reading is sent. Our staff will review it, and you will be told the outcome.")
        request.session.flash(translate(request, message), "success")
        party = self.context.__parent__.party_resource
        return HTTPSeeOther(request.resource_url(party, ReadingsContainer.segment, str(outcome.reading.id), ""))


@view_config(context=PointReadings, name="", permission=Permission.ReadingsView, request_method=("GET", "HEAD"))
def point_readings(context, request):
    """The supply point's readings are the party's readings list, filtered to it."""
    party = context.__parent__.party_resource
    return HTTPSeeOther(request.resource_url(party, ReadingsContainer.segment, "",
                                             query={"point": context.point.id}))


def export_columns(request):
    locale = request.locale_name
    return (
        Column("#", lambda r: r.Reading.id, kind="number", width=8),
        Column(_("Date"), lambda r: r.Reading.reading_date, kind="date"),
        Column(_("Supply point"), "address", width=40),
        Column(_("Meter"), "serial_number", width=16),
        Column(_("Values"), lambda r: values_text(r.Reading, locale), width=44),
        Column(_("State"), lambda r: reading_state_title(r.Reading.state), width=18),
        Column(_("Reason"), lambda r: r.Reading.reason, width=40),
        Column(_("Comment"), lambda r: r.Reading.comment, width=40),
        Column(_("Sent"), lambda r: r.Reading.created_at, kind="datetime"),
    )


def _point_condition(request, value):
    return SupplyPoint.id == int(value)


@view_config(context=ReadingsContainer, name="", attr="page", permission=Permission.ReadingsView,
             request_method=("GET", "HEAD"), renderer="portal:utility/templates/readings.pt")
@view_config(context=ReadingsContainer, name="export.xlsx", attr="export", permission=Permission.ReadingsView,
             request_method=("GET", "HEAD"))
class ReadingList(ListView):
    """The party's readings, by state and supply point, searched by address and meter: the page and
    its export. Rows are (Reading, address, serial_number, supply_point_id)."""

    spec = ListSpec(
        columns=export_columns,
        sorts={"date": Reading.reading_date, "state": Reading.state, "sent": Reading.created_at,
               "point": SupplyPoint.address, "meter": Meter.serial_number, "id": Reading.id},
        default_sort="-date", tiebreak=Reading.id.desc(),
        filters={"state": (Reading.state, set(READING.states)), "point": (_point_condition, ANY_ID)},
        search=(SupplyPoint.address, Meter.serial_number),
        title=_("Meter readings"), ascii_name="meter-readings", scalars=False,
    )

    def statement(self):
        return party_readings(self.context.party.id).options(
            selectinload(Reading.values).selectinload(ReadingValue.register))

    def extra(self, page):
        points = self.request.dbsession.execute(
            select(SupplyPoint.id, SupplyPoint.address).where(SupplyPoint.party_id == self.context.party.id)
            .order_by(SupplyPoint.address, SupplyPoint.id)).all()
        locale = self.request.locale_name
        return {
            "state_titles": titles(self.request, READING.state_titles),
            "points": points,
            "values": lambda reading: values_text(reading, locale),
        }


@view_config(context=ReadingItem, name="", permission=Permission.ReadingsView, request_method=("GET", "HEAD"),
             renderer="portal:utility/templates/reading.pt")
def reading_detail(context, request):
    item = context.item
    meter = item.meter
    return {
        "item": item,
        "meter": meter,
        "point": meter.supply_point,
        "panel": workflow_panel(request, context),
        "number": lambda value: "—" if value is None else number(value, request.locale_name),
        "point_url": request.resource_url(context.party_resource, "supply-points", str(meter.supply_point_id), ""),
    }
