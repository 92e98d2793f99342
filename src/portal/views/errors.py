"""Error pages in the user's language: 400, 403, 404, 413, 429, 500; never a stack trace.

A logged-in user who is refused a party's page gets 404, the same answer as
for a party that does not exist, so ids cannot be probed.
"""
import logging

from pyramid.exceptions import BadCSRFToken, URLDecodeError
from pyramid.httpexceptions import HTTPBadRequest, HTTPRequestEntityTooLarge, HTTPSeeOther
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config

from portal.attachments.services import human_size
from portal.i18n import _
from portal.parties.resources import find_party
from portal.security.permissions import Permission

log = logging.getLogger(__name__)

ERROR_TEMPLATE = "portal:templates/errors/error.pt"


def error_page(request, status, title, message):
    request.response.status = status
    return {"status": status, "title": title, "message": message}


@notfound_view_config(renderer=ERROR_TEMPLATE)
def not_found(exc, request):
    return error_page(request, 404, _("Page not found"),
                      _("There is no such page, or it is not available to you."))


@forbidden_view_config(renderer=ERROR_TEMPLATE)
def forbidden(exc, request):
    if request.identity is None:
        if request.method in ("GET", "HEAD"):
            login = request.resource_url(request.root, "login", query={"next": request.path_qs})
        else:
            login = request.resource_url(request.root, "login")
        return HTTPSeeOther(login)
    party = find_party(request.context)
    if party is not None and not request.has_permission(Permission.PartyView, party):
        return not_found(exc, request)
    return error_page(request, 403, _("Access denied"),
                      _("Your account does not have the right to do this."))


@exception_view_config(BadCSRFToken, renderer=ERROR_TEMPLATE)
def bad_csrf(exc, request):
    return error_page(request, 400, _("The form has expired"),
                      _("The page was open too long or was sent from elsewhere. "
                        "Go back, reload the page and send the form again."))


@exception_view_config(URLDecodeError, renderer=ERROR_TEMPLATE)
@exception_view_config(UnicodeDecodeError, renderer=ERROR_TEMPLATE)
def bad_encoding(exc, request):
    return error_page(request, 400, _("Unreadable request"),
                      _("The request contains characters that are not valid UTF-8."))


@exception_view_config(HTTPBadRequest, renderer=ERROR_TEMPLATE)
def bad_request(exc, request):
    return error_page(request, 400, _("Bad request"),
                      _("The request could not be understood. Go back and try again."))


@exception_view_config(HTTPRequestEntityTooLarge, renderer=ERROR_TEMPLATE)
def too_large(exc, request):
    """Refused before the body was read (security/limits.py)."""
    limit = human_size(request.registry["portal.max_request_bytes"], request.locale_name)
    return error_page(request, 413, _("Too large"),
                      _("The request is larger than the portal accepts (at most ${size}). "
                        "Go back and send a smaller file.", mapping={"size": limit}))


@exception_view_config(Exception, renderer=ERROR_TEMPLATE,
                       retryable_error=False)
def server_error(exc, request):
    log.exception("unhandled error on %s %s", request.method, request.path_info)
    return error_page(request, 500, _("Something went wrong"),
                      _("The error has been logged. Try again in a moment; "
                        "if it persists, tell the administrator."))
