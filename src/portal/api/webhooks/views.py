"""``/admin/integration/webhooks/``: registering a webhook (its secret shown once), pausing, resuming
and deleting one, and the delivery history, with failed deliveries sent again. Admins only
(``admin:integration``); every change is audited."""
from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.api.feed.registry import feed_kinds
from portal.api.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from portal.api.webhooks.resources import WebhooksArea
from portal.api.webhooks.schemas import WebhookSchema
from portal.api.webhooks.services import create_webhook, retry_failed, set_active
from portal.api.webhooks.signing import HEADER
from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.i18n import _, translate
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.listing import ANY_ID, ListSpec, ListView
from portal.views.xlsx import Column

TEMPLATE = "portal:api/templates/webhooks.pt"
STATE_TITLES = {
    DeliveryState.pending: _("Waiting"),
    DeliveryState.sent: _("Delivered"),
    DeliveryState.failed: _("Failed"),
}
MAX_RETRY_IDS = 500


def kind_title(request, name) -> str:
    """A kind's title in the reader's language; a kind no longer declared (its vertical switched off) by name."""
    kind = feed_kinds(request.registry).get(name)
    return request.localizer.translate(kind.title) if kind is not None else name


def delivery_columns(request):
    def state_title(row):
        return request.localizer.translate(STATE_TITLES[row.state])

    def events(row):
        return kind_title(request, row.webhook.kind)

    return (Column(_("Written"), "created_at", kind="datetime", width=18), Column(_("Events"), events, width=20),
            Column(_("Address"), "webhook.url", width=40), Column(_("Event"), "event_id", kind="number", width=9),
            Column(_("State"), state_title, width=12), Column(_("Answer"), "last_status", kind="number", width=9),
            Column(_("Attempts"), "attempts", kind="number", width=9),
            Column(_("Next attempt"), "next_attempt_at", kind="datetime", width=18),
            Column(_("Delivered"), "sent_at", kind="datetime", width=18),
            Column(_("Last error"), "last_error", width=40))


def webhooks_for(request) -> list[Webhook]:
    return request.dbsession.scalars(select(Webhook).order_by(Webhook.kind, Webhook.url, Webhook.id)).all()


@view_config(context=WebhooksArea, name="", attr="page", permission=Permission.AdminIntegration,
             request_method=("GET", "HEAD"), renderer=TEMPLATE)
@view_config(context=WebhooksArea, name="export.xlsx", attr="export", permission=Permission.AdminIntegration,
             request_method=("GET", "HEAD"))
class DeliveryList(ListView):
    """The webhooks, and every delivery by state and webhook: the page, and the deliveries' export."""

    spec = ListSpec(
        columns=delivery_columns,
        sorts={"created": WebhookDelivery.created_at, "state": WebhookDelivery.state,
               "attempts": WebhookDelivery.attempts, "next": WebhookDelivery.next_attempt_at},
        default_sort="-created", tiebreak=WebhookDelivery.id,
        filters={"state": (WebhookDelivery.state, set(STATE_TITLES)),
                 "webhook": (WebhookDelivery.webhook_id, ANY_ID)},
        title=_("Webhook deliveries"), ascii_name="webhook-deliveries",
    )

    def statement(self):
        return select(WebhookDelivery).options(joinedload(WebhookDelivery.webhook))

    def extra(self, page):
        request = self.request
        return {
            "form": NewWebhookView(self.context, request).form().render(),
            "secret": None,
            "webhooks": webhooks_for(request),
            "kind_title": lambda name: kind_title(request, name),
            "state": self.filters.get("state", ""),
            "state_titles": STATE_TITLES,
            "signature_header": HEADER,
        }


@view_config(context=WebhooksArea, name="new", attr="post", request_method="POST",
             permission=Permission.AdminIntegration, renderer=TEMPLATE)
class NewWebhookView(FormView):
    """Register a webhook; the page that answers shows its secret, this once."""

    schema_class = WebhookSchema
    formid = "webhook"
    buttons = (("submit", _("Add the webhook")),)

    def bind_kwargs(self):
        kinds = feed_kinds(self.request.registry)
        return {"kinds": [(name, self.request.localizer.translate(kinds[name].title)) for name in sorted(kinds)]}

    def action(self):
        return self.request.resource_url(self.context, "new")

    def page(self, form_html, secret=None):
        values = DeliveryList(self.context, self.request).page()
        values.update(form=form_html, secret=secret)
        return values

    def success(self, appstruct, upload):
        request = self.request
        kind, url = appstruct["kind"], appstruct["url"]
        taken = request.dbsession.scalars(select(Webhook.id).where(Webhook.kind == kind, Webhook.url == url)).first()
        if taken is not None:
            raise self.refusal(_("This address already receives these events."), "url")
        webhook, secret = create_webhook(request.dbsession, kind, url, created_by_id=request.authenticated_userid)
        request.find_service(IAuditService).record("webhook.create", f"webhook:{webhook.id}", kind=kind, url=url)
        request.response.headers["Cache-Control"] = "no-store"
        return self.page(self.form().render(), secret=secret)


def saved(request, message, url, queue="success"):
    """Flash ``message`` and go to ``url`` (POST, then redirect, then GET)."""
    request.session.flash(translate(request, message), queue)
    return HTTPSeeOther(url)


def posted_webhook(request) -> Webhook:
    webhook_id = parse_id(request.POST.get("id"))
    webhook = request.dbsession.get(Webhook, webhook_id) if webhook_id is not None else None
    if webhook is None:
        raise HTTPBadRequest()
    return webhook


@view_config(context=WebhooksArea, name="pause", request_method="POST", permission=Permission.AdminIntegration)
@view_config(context=WebhooksArea, name="resume", request_method="POST", permission=Permission.AdminIntegration)
def pause_or_resume(context, request):
    """Pause a webhook (its deliveries wait, new events are not queued for it) or resume it."""
    webhook = posted_webhook(request)
    active = request.view_name == "resume"
    mapping = {"url": webhook.url}
    if not set_active(webhook, active):
        return saved(request, _("Nothing changed: the webhook was already so."), request.resource_url(context), "info")
    request.find_service(IAuditService).record(f"webhook.{request.view_name}", f"webhook:{webhook.id}",
                                               kind=webhook.kind, url=webhook.url)
    message = (_("Webhook to ${url} resumed: its waiting deliveries go out now.", mapping=mapping) if active
               else _("Webhook to ${url} paused: nothing is sent to it until it is resumed.", mapping=mapping))
    return saved(request, message, request.resource_url(context))


@view_config(context=WebhooksArea, name="delete", request_method="POST", permission=Permission.AdminIntegration)
def delete_webhook(context, request):
    """Delete a webhook with its delivery history (the events stay in the feed)."""
    webhook = posted_webhook(request)
    request.find_service(IAuditService).record("webhook.delete", f"webhook:{webhook.id}", kind=webhook.kind,
                                               url=webhook.url)
    request.dbsession.delete(webhook)
    return saved(request, _("Webhook to ${url} deleted, with its deliveries.", mapping={"url": webhook.url}),
                 request.resource_url(context))


@view_config(context=WebhooksArea, name="retry", request_method="POST", permission=Permission.AdminIntegration)
def retry(context, request):
    """Send again one failed delivery (``id``) or all of them (no ``id``)."""
    raw_ids = request.POST.getall("id")
    if len(raw_ids) > MAX_RETRY_IDS:
        raise HTTPBadRequest()
    ids = None
    if raw_ids:
        ids = [parse_id(value) for value in raw_ids]
        if None in ids:
            raise HTTPBadRequest()
    count = retry_failed(request.dbsession, ids)
    back = request.resource_url(context, query={"state": DeliveryState.failed.value})
    if not count:
        return saved(request, _("There was no failed delivery to send again."), back, "info")
    request.find_service(IAuditService).record("webhook.retry", "webhooks", count=count, ids=ids)
    return saved(request, _("${count} deliveries will be sent again.", mapping={"count": count}), back)
