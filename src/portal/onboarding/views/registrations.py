"""``/backoffice/registrations/``: requests to act for a company (from registrations, and registered
users asking for more), the oldest waiting first; each one's page with the person, what they typed,
the parties it names (by tax id or customer number) or a search finds, the binding or the rejection
with a reason, and the notifications the person was sent with their delivery history. Decisions are
audited and the person is told."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from portal.admin.access import find_party
from portal.audit.interfaces import IAuditService
from portal.i18n import _, translate
from portal.identity.models import User
from portal.onboarding.areas import MembershipRequestResource, RegistrationsArea
from portal.onboarding.models import MembershipRequest, MembershipRequestState, Registration
from portal.onboarding.registration import RegistrationRefused, bind, reject, search_parties, suggested_parties
from portal.onboarding.registration_schemas import BindSchema, RejectSchema
from portal.onboarding.views.registration import REQUEST_STATE_TITLES, select_parties
from portal.outbox.letters import letters_for
from portal.outbox.services import history_of
from portal.outbox.titles import CHANNEL_TITLES, OUTCOME_TITLES, STATE_TITLES
from portal.parties.licence import licence_limit
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.listing import ListSpec, ListView
from portal.views.pagination import MAX_QUERY
from portal.views.xlsx import Column


def export_columns(request):
    def state_title(row):
        return request.localizer.translate(REQUEST_STATE_TITLES[row.state])

    return (
        Column(_("Received"), "created_at", kind="datetime", width=18),
        Column(_("Name"), lambda row: row.user.full_name, width=30),
        Column(_("E-mail"), lambda row: row.user.email, width=30),
        Column(_("Phone"), lambda row: row.user.phone, width=16),
        Column(_("Company"), "company_name", width=36),
        Column(_("Tax id"), "tax_id", width=14),
        Column(_("Customer number"), "customer_number", width=16),
        Column(_("State"), state_title, width=18),
        Column(_("Bound to"), lambda row: row.party.name if row.party is not None else None, width=30),
        Column(_("Reason"), "reason", width=40),
        Column(_("Decided"), "decided_at", kind="datetime", width=18),
    )


@view_config(context=RegistrationsArea, name="", attr="page", permission=Permission.RegistrationsView,
             request_method=("GET", "HEAD"), renderer="portal:onboarding/templates/registrations.pt")
@view_config(context=RegistrationsArea, name="export.xlsx", attr="export", permission=Permission.RegistrationsView,
             request_method=("GET", "HEAD"))
class RegistrationList(ListView):
    """Requests in one state (waiting for the back office unless the filter says otherwise), searched by
    company, tax id, customer number, the person's last name or e-mail: the page and its export."""

    spec = ListSpec(
        columns=export_columns,
        sorts={"received": MembershipRequest.created_at, "company": MembershipRequest.company_name,
               "name": User.last_name, "decided": MembershipRequest.decided_at},
        default_sort="received", tiebreak=MembershipRequest.id,
        filters={"state": (None, {state.value for state in MembershipRequestState})},
        search=(MembershipRequest.company_name, MembershipRequest.tax_id, MembershipRequest.customer_number,
                User.last_name, User.email),
        title=_("Requests to act for a company"), ascii_name="registrations",
    )

    @property
    def state(self) -> str:
        return self.filters.get("state", MembershipRequestState.requested.value)

    def statement(self):
        return (select(MembershipRequest).join(MembershipRequest.user)
                .options(contains_eager(MembershipRequest.user), joinedload(MembershipRequest.party))
                .where(MembershipRequest.state == self.state))

    def extra(self, page):
        db = self.request.dbsession
        counts = dict(db.execute(select(MembershipRequest.state, func.count()).group_by(MembershipRequest.state)).all())
        return {"state": self.state, "state_titles": REQUEST_STATE_TITLES, "counts": counts,
                "may_decide": self.request.has_permission(Permission.RegistrationsDecide, self.context)}


def registration_page(request, context, *, bind_html=None, reject_html=None) -> dict:
    """One request's page; a refused form comes back in its place with its errors."""
    db = request.dbsession
    row = context.membership_request
    q = (request.params.get("q") or "").strip()[:MAX_QUERY]
    return {
        "row": row,
        "person": row.user,
        "registration": db.get(Registration, row.user_id),
        "parties": db.scalars(select_parties(row.user_id)).all(),
        "suggestions": suggested_parties(db, row),
        "q": q,
        "found": search_parties(db, q) if q else [],
        "may_decide": (row.state == MembershipRequestState.requested
                       and request.has_permission(Permission.RegistrationsDecide, context)),
        # A refused decision shows its form with the reason, even on a request decided meanwhile.
        "refused": bool(bind_html or reject_html),
        "bind_form": bind_html or BindView(context, request).form().render(),
        "reject_form": reject_html or RejectView(context, request).form().render(),
        "history": history_of(db, row.user_id),
        "state_titles": REQUEST_STATE_TITLES,
        "outbox_states": STATE_TITLES,
        "channels": CHANNEL_TITLES,
        "outcomes": OUTCOME_TITLES,
    }


@view_config(context=MembershipRequestResource, name="", permission=Permission.RegistrationsView,
             request_method=("GET", "HEAD"), renderer="portal:onboarding/templates/registration.pt")
def registration_view(context, request):
    return registration_page(request, context)


class DecisionForm(FormView):
    """A decision on a request's page; refused, the page comes back with the form's errors (400)."""

    slot = None

    def page(self, form_html):
        return registration_page(self.request, self.context, **{self.slot: form_html})

    def done(self, message):
        request = self.request
        request.session.flash(translate(request, message), "success")
        return HTTPSeeOther(request.resource_url(self.context.__parent__))

    def decide(self, decision, *args, **kw):
        try:
            decision(self.request.dbsession, self.request.find_service(IAuditService),
                     letters_for(self.request.registry), self.context.membership_request, *args,
                     actor_id=self.request.authenticated_userid, **kw)
        except RegistrationRefused as refused:
            known = refused.field and self.form().schema.get(refused.field) is not None
            raise self.refusal(refused.message, refused.field if known else None) from None


DECISION = dict(context=MembershipRequestResource, permission=Permission.RegistrationsDecide, request_method="POST",
                renderer="portal:onboarding/templates/registration.pt")


@view_config(name="bind", attr="post", **DECISION)
class BindView(DecisionForm):
    """Bind the person to a party (a suggested one, or any by its number or accounting id)."""

    schema_class = BindSchema
    buttons = (("submit", _("Bind")),)
    formid = "bind"
    slot = "bind_html"

    def action(self):
        return self.request.resource_url(self.context, "bind")

    def success(self, appstruct, upload):
        party = find_party(self.request.dbsession, appstruct["party"])
        if party is None:
            raise self.refusal(_("There is no party “${ref}”. Give its number in the portal or its accounting id.",
                                 mapping={"ref": appstruct["party"]}), "party")
        self.decide(bind, party, seats=licence_limit(self.request.registry))
        return self.done(_("${name} now acts for ${party}.", mapping={
            "name": self.context.membership_request.user.full_name, "party": party.name}))


@view_config(name="reject", attr="post", **DECISION)
class RejectView(DecisionForm):
    """Reject the request; the person reads the reason."""

    schema_class = RejectSchema
    buttons = (("submit", _("Reject")),)
    formid = "reject"
    slot = "reject_html"

    def action(self):
        return self.request.resource_url(self.context, "reject")

    def success(self, appstruct, upload):
        self.decide(reject, appstruct["reason"])
        return self.done(_("The request of ${name} is rejected.", mapping={
            "name": self.context.membership_request.user.full_name}))
