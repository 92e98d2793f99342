"""Change requests of a party's master data: the list and its export, asking for a change (a form
showing today's values), editing a draft, one request with its actions, and approving it; the
party's account info, the master data those requests change.

Approval is the one decision that changes the party, so ``transition=approve``
on a change request is taken here, not by the generic transition view: it
approves and applies in the same transaction (services/change_requests.py).
"""
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy.orm import joinedload

from portal.changes.models import ChangeRequest
from portal.changes.resources import AccountInfo, ChangeRequestItem, ChangesContainer
from portal.changes.schemas import ChangeRequestSchema, EditChangeRequestSchema, display_value
from portal.changes.services import (
    approve_and_apply,
    draft_change_request,
    edit_refusal,
    requested_changes,
    revise_draft,
)
from portal.changes.workflow import CHANGE_REQUEST, FIELDS, current_values
from portal.i18n import _, titles, translate
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.listing import ListSpec, ListView
from portal.views.workflow import refusal_text, workflow_panel
from portal.views.xlsx import Column
from portal.workflows.engine import WorkflowError
from portal.workflows.services import IWorkflowService


def changed_fields(request, item) -> str:
    """The labels of the fields a request changes, in the form's order, in the user's language."""
    return ", ".join(translate(request, title) for name, title in FIELDS.items() if name in (item.changes or {}))


def requested_values(request, item) -> str:
    """``Label: new value`` per changed field, one a line (for the export)."""
    return "\n".join(
        f"{translate(request, title)}: {translate(request, display_value(name, item.changes[name]))}"
        for name, title in FIELDS.items() if name in (item.changes or {})
    )


def export_columns(request):
    return (
        Column("#", "id", kind="number", width=8),
        Column(_("Changes"), lambda c: changed_fields(request, c), width=36),
        Column(_("Requested values"), lambda c: requested_values(request, c), width=50),
        Column(_("State"), lambda c: CHANGE_REQUEST.state(c.state).title, width=14),
        Column(_("Created"), "created_at", kind="datetime"),
        Column(_("Author"), lambda c: c.author.full_name if c.author else None, width=24),
        Column(_("Decided"), "decided_at", kind="datetime"),
        Column(_("Reason of rejection"), "reason", width=40),
    )


@view_config(context=ChangesContainer, name="", attr="page", permission=Permission.ChangesView,
             request_method=("GET", "HEAD"), renderer="portal:changes/templates/list.pt")
@view_config(context=ChangesContainer, name="export.xlsx", attr="export", permission=Permission.ChangesView,
             request_method=("GET", "HEAD"))
class ChangeList(ListView):
    """The party's change requests, filtered by state: the page and its export (with the values asked for)."""

    spec = ListSpec(
        columns=export_columns,
        sorts={
            "created": ChangeRequest.created_at,
            "updated": ChangeRequest.updated_at,
            "state": ChangeRequest.state,
            "id": ChangeRequest.id,
        },
        default_sort="-created", tiebreak=ChangeRequest.id.desc(),
        filters={"state": (ChangeRequest.state, set(CHANGE_REQUEST.states))},
        title=_("Change requests"), ascii_name="change-requests",
    )

    def statement(self):
        return self.context.query().options(joinedload(ChangeRequest.author))

    def extra(self, page):
        return {
            "state_titles": titles(self.request, CHANGE_REQUEST.state_titles),
            "fields": lambda item: changed_fields(self.request, item),
            "can_create": self.request.has_permission(Permission.ChangesCreate, self.context),
        }


class ChangeForm(FormView):
    """The form both a new request and a draft's edit use: every field, pre-filled, two buttons.

    "Send" (the first, so also what Enter does) submits it for approval; "Save
    draft" keeps it for later. Only the values that differ from the party's
    today are kept.
    """

    schema_class = ChangeRequestSchema
    buttons = (("submit", _("Send")), ("save", _("Save draft")))
    formid = "change-request"
    title = None

    def __init__(self, context, request):
        super().__init__(context, request)
        self.party = context.party
        self.current = current_values(self.party)

    def bind_kwargs(self):
        return {"current": self.current}

    def appstruct(self):
        return self.current

    def back_url(self):
        """A new request goes back to the list, an edit to its request."""
        return self.request.resource_url(self.context)

    def page(self, form_html):
        return {"form": form_html, "title": self.title, "back": self.back_url()}

    def success(self, appstruct, upload):
        changes = requested_changes(self.party, appstruct)
        if not changes:
            raise self.refusal(_("Nothing to ask for: every value is the same as now. "
                                 "Change at least one of them."))
        try:
            resource = self.save(changes, appstruct)
        except WorkflowError as error:
            self.request.tm.doom()
            self.request.session.flash(refusal_text(self.request, error), "error")
            return HTTPSeeOther(self.back_url())
        if "save" not in self.request.POST:  # "Send", or Enter in a field (the first button), sends it
            self.submit(resource)
        else:
            self.request.session.flash(translate(self.request, _(
                "Change request #${id} is saved as a draft. Send it for approval when it is complete.",
                mapping={"id": resource.item.id})), "success")
        return HTTPSeeOther(self.request.resource_url(resource))

    def submit(self, resource):
        try:
            self.request.find_service(IWorkflowService).apply(resource, "submit")
        except WorkflowError as error:
            # The submit guard refuses before anything changes: the saved draft stays.
            self.request.session.flash(refusal_text(self.request, error) + " " + translate(
                self.request, _("The draft is saved.")), "error")
            return
        self.request.session.flash(translate(self.request, _(
            "Change request #${id} is submitted. Nothing changes until our back office approves it.",
            mapping={"id": resource.item.id})), "success")


NEW_CHANGE = dict(context=ChangesContainer, name="new", permission=Permission.ChangesCreate,
                  renderer="portal:changes/templates/form.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **NEW_CHANGE)
@view_config(attr="post", request_method="POST", **NEW_CHANGE)
class NewChangeView(ChangeForm):
    """A customer asks to change its master data."""

    title = _("New change request")
    files_once = True

    def save(self, changes, appstruct):
        item = draft_change_request(self.request.find_service(IWorkflowService), party=self.party,
                                    author_id=self.request.authenticated_userid, changes=changes)
        return ChangeRequestItem(item, self.context)


EDIT_CHANGE = dict(context=ChangeRequestItem, name="edit", permission=Permission.ChangesEdit,
                   renderer="portal:changes/templates/form.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **EDIT_CHANGE)
@view_config(attr="post", request_method="POST", **EDIT_CHANGE)
class EditChangeView(ChangeForm):
    """The author edits a draft; once submitted (or decided) the request is refused with the reason."""

    schema_class = EditChangeRequestSchema
    title = _("Edit the change request")

    def __init__(self, context, request):
        # Edit rights come from authorship; seeing the party's data needs a membership still active.
        if not request.has_permission(Permission.ChangesView, context):
            raise HTTPNotFound()
        super().__init__(context, request)

    def refused(self):
        refusal = edit_refusal(self.context.item)
        if refusal is None:
            return None
        self.request.session.flash(translate(self.request, refusal), "error")
        return HTTPSeeOther(self.back_url())

    def appstruct(self):
        item = self.context.item
        return dict(self.current, **{k: v for k, v in (item.changes or {}).items() if k in FIELDS},
                    version=item.version)

    def get(self):
        return self.refused() or super().get()

    def post(self):
        return self.refused() or super().post()

    def save(self, changes, appstruct):
        revise_draft(self.request.dbsession, self.context.item, changes, expected_version=appstruct["version"])
        return self.context


class ChangeRow:
    """One changed field on the detail page: its value now, asked for, and when submitted."""

    def __init__(self, name, title, current, requested, previous, submitted):
        self.name = name
        self.title = title
        self.current = display_value(name, current)
        self.requested = display_value(name, requested)
        self.previous = display_value(name, previous) if submitted else None
        # The party's value moved after submission: the decider should look twice.
        self.moved = submitted and previous != current


def change_rows(item, party) -> list[ChangeRow]:
    current = current_values(party)
    previous = item.previous or {}
    return [
        ChangeRow(name, title, current[name], item.changes[name], previous.get(name), bool(previous))
        for name, title in FIELDS.items() if name in (item.changes or {})
    ]


@view_config(context=ChangeRequestItem, name="", permission=Permission.ChangesView,
             request_method=("GET", "HEAD"), renderer="portal:changes/templates/detail.pt")
def change_detail(context, request):
    item = context.item
    applied = item.state == "applied"
    return {
        "item": item,
        "rows": change_rows(item, context.party),
        # Once applied, today's values are the requested ones: the column would only repeat them.
        "show_current": not applied,
        "show_previous": bool(item.previous),
        "panel": workflow_panel(request, context),
        "can_edit": edit_refusal(item) is None and bool(request.has_permission(Permission.ChangesEdit, context)),
    }


@view_config(context=ChangeRequestItem, name="transition", request_method="POST",
             request_param="transition=approve", permission=Permission.PartyView)
def approve(context, request):
    """Approve and apply in one go; a refusal (someone decided first) leaves everything as it was."""
    back = request.resource_url(context)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        approve_and_apply(request.find_service(IWorkflowService), context, expected_version=version)
    except WorkflowError as error:
        request.tm.doom()
        request.session.flash(refusal_text(request, error), "error")
        return HTTPSeeOther(back)
    request.session.flash(translate(request, _(
        "Approved. The new values now apply to ${party}.", mapping={"party": context.party.name})), "success")
    return HTTPSeeOther(back)


# The account info page's sections: every field of FIELDS once, grouped as a customer looks for them.
ACCOUNT_SECTIONS = (
    ("billing", _("Billing"), ("billing_address", "bank_name", "bank_bic", "bank_account")),
    ("contact", _("Contact"), ("contact_person", "email", "phone")),
    ("delivery", _("Invoice delivery"), ("invoice_channel", "invoice_email")),
)


def account_value(party, name):
    """How the account info shows a field: an empty invoice e-mail is the company e-mail it falls back on."""
    value = getattr(party, name)
    if name == "invoice_email" and not value and party.email:
        return _("the company e-mail, ${email}", mapping={"email": party.email})
    return display_value(name, value)


@view_config(context=AccountInfo, name="", permission=Permission.PartyView, request_method=("GET", "HEAD"),
             renderer="portal:changes/templates/account_info.pt")
def account_info(context, request):
    """The party's master data today, the change requests awaiting a decision, and where to ask for one."""
    party = context.party
    changes = ChangesContainer(context.__parent__)
    waiting = []
    if request.has_permission(Permission.ChangesView, changes):
        waiting = request.dbsession.scalars(
            changes.query().where(ChangeRequest.state == "submitted").order_by(ChangeRequest.id)
        ).all()
    return {
        "party": party,
        "sections": [(key, title, [(FIELDS[name], account_value(party, name), name) for name in names])
                     for key, title, names in ACCOUNT_SECTIONS],
        "waiting": waiting,
        "fields": lambda item: changed_fields(request, item),
        "changes_url": request.resource_url(changes),
        "change_url": (request.resource_url(changes, "new")
                       if request.has_permission(Permission.ChangesCreate, changes) else None),
    }
