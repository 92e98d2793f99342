"""``/admin/integration/``: the API keys — the list, creating one (its token shown once) and revoking
one. Admins only (``admin:integration``); every change is audited."""
from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from portal.api.health_pages import health_overview
from portal.api.keys import create_api_key, revoke_api_key
from portal.api.models import ApiKey
from portal.api.resources import IntegrationArea
from portal.api.schemas import SCOPE_TITLES, ApiKeySchema
from portal.audit.interfaces import IAuditService
from portal.db.ids import parse_id
from portal.i18n import _, translate
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column

TEMPLATE = "portal:api/templates/integration.pt"


def key_columns(request):
    def scope_title(key):
        return request.localizer.translate(SCOPE_TITLES[key.scope])

    return (Column(_("Name"), "name", width=30), Column(_("Scope"), scope_title, width=16),
            Column(_("Key begins with"), "prefix", width=12),
            Column(_("Created"), "created_at", kind="datetime", width=18),
            Column(_("Last used"), "last_used_at", kind="datetime", width=18),
            Column(_("Revoked"), "revoked_at", kind="datetime", width=18))


@view_config(context=IntegrationArea, name="", attr="page", permission=Permission.AdminIntegration,
             request_method=("GET", "HEAD"), renderer=TEMPLATE)
@view_config(context=IntegrationArea, name="export.xlsx", attr="export", permission=Permission.AdminIntegration,
             request_method=("GET", "HEAD"))
class ApiKeyList(ListView):
    """Every API key, revoked ones too (the call log names them): the page and its export."""

    spec = ListSpec(columns=key_columns, sorts={"name": ApiKey.name, "created": ApiKey.created_at,
                                                "used": ApiKey.last_used_at},
                    default_sort="-created", tiebreak=ApiKey.id, search=(ApiKey.name,),
                    title=_("API keys"), ascii_name="api-keys")

    def statement(self):
        return select(ApiKey)

    def extra(self, page):
        return {"form": NewApiKeyView(self.context, self.request).form().render(), "scope_titles": SCOPE_TITLES,
                "token": None, **health_overview(self.request)}


@view_config(context=IntegrationArea, name="new", attr="post", request_method="POST",
             permission=Permission.AdminIntegration, renderer=TEMPLATE)
class NewApiKeyView(FormView):
    """Create a key; the page that answers shows its token, this once."""

    schema_class = ApiKeySchema
    formid = "api-key"
    buttons = (("submit", _("Create the key")),)

    def action(self):
        return self.request.resource_url(self.context, "new")

    def page(self, form_html, token=None):
        values = ApiKeyList(self.context, self.request).page()
        values.update(form=form_html, token=token)
        return values

    def success(self, appstruct, upload):
        request = self.request
        key, token = create_api_key(request.dbsession, appstruct["name"], appstruct["scope"],
                                    created_by_id=request.authenticated_userid)
        request.find_service(IAuditService).record("api_key.create", f"api_key:{key.id}", name=key.name,
                                                   scope=key.scope)
        request.response.headers["Cache-Control"] = "no-store"
        return self.page(self.form().render(), token=token)


@view_config(context=IntegrationArea, name="revoke", request_method="POST", permission=Permission.AdminIntegration)
def revoke_key(context, request):
    key_id = parse_id(request.POST.get("id"))
    key = request.dbsession.get(ApiKey, key_id) if key_id is not None else None
    if key is None:
        raise HTTPBadRequest()
    if revoke_api_key(key):
        request.find_service(IAuditService).record("api_key.revoke", f"api_key:{key.id}", name=key.name)
        message = _("The key “${name}” is revoked: calls with it are refused from now on.", mapping={"name": key.name})
    else:
        message = _("The key “${name}” was already revoked.", mapping={"name": key.name})
    request.session.flash(translate(request, message), "success")
    return HTTPSeeOther(request.resource_url(context))
