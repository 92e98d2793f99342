"""``/readings/``: the readings waiting for review, the longest waiting first, and the queue's export.

Each row links to the reading under its party, where it is accepted or rejected
with a reason: the party's ACL (not this page) says whether the user may decide it.
"""
from pyramid.view import view_config
from sqlalchemy.orm import selectinload

from portal.i18n import _
from portal.parties.models import Party
from portal.security.permissions import Permission
from portal.utility.models import Meter, Reading, ReadingValue, SupplyPoint
from portal.utility.plausibility import number
from portal.utility.resources import ReadingsReviewArea
from portal.utility.services import review_queue
from portal.utility.views import values_text
from portal.utility.workflow import READING
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column
from portal.workflows.kinds import item_path


def consumption_text(reading, locale) -> str:
    """Each register's consumption against what was expected: "Day 950 (usual 300) kWh"."""
    parts = []
    for v in reading.values:
        if v.consumption is None:
            continue
        expected = f" ({number(v.expected, locale)})" if v.expected is not None else ""
        parts.append(f"{v.register.name} {number(v.consumption, locale)}{expected} {v.register.unit}")
    return "; ".join(parts)


def export_columns(request):
    locale = request.locale_name
    return (
        Column("#", lambda r: r.Reading.id, kind="number", width=8),
        Column(_("Company"), "party_name", width=30),
        Column(_("Supply point"), "address", width=36),
        Column(_("Meter"), "serial_number", width=16),
        Column(_("Date"), lambda r: r.Reading.reading_date, kind="date"),
        Column(_("Values"), lambda r: values_text(r.Reading, locale), width=40),
        Column(_("Consumption (expected)"), lambda r: consumption_text(r.Reading, locale), width=40),
        Column(_("Comment"), lambda r: r.Reading.comment, width=40),
        Column(_("Sent"), lambda r: r.Reading.created_at, kind="datetime"),
    )


@view_config(context=ReadingsReviewArea, name="", attr="page", permission=Permission.ReadingsReview,
             request_method=("GET", "HEAD"), renderer="portal:utility/templates/review.pt")
@view_config(context=ReadingsReviewArea, name="export.xlsx", attr="export", permission=Permission.ReadingsReview,
             request_method=("GET", "HEAD"))
class ReviewQueue(ListView):
    """Readings waiting for review of the parties this member of staff sees, searched by company,
    address or meter: the page and its export. Rows are (Reading, party_name, address, serial_number)."""

    spec = ListSpec(
        columns=export_columns,
        sorts={"sent": Reading.created_at, "date": Reading.reading_date, "party": Party.name, "id": Reading.id},
        default_sort="sent", tiebreak=Reading.id,
        search=(Party.name, SupplyPoint.address, Meter.serial_number),
        title=_("Readings to review"), ascii_name="readings-to-review", scalars=False,
    )

    def statement(self):
        return review_queue(self.request.identity).options(
            selectinload(Reading.values).selectinload(ReadingValue.register))

    def extra(self, page):
        request, locale = self.request, self.request.locale_name
        return {
            "values": lambda reading: values_text(reading, locale),
            "consumption": lambda reading: consumption_text(reading, locale),
            "item_url": lambda reading: request.application_url + item_path(
                request.registry, READING.name, reading.party_id, reading.id),
        }
