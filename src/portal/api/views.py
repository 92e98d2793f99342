"""``/api/v1/``: upserts, reads and deletes of the registered entities, and JSON errors everywhere.

No cookie and no CSRF token here: the bearer key is the identity (security/policy.py). Every
answer, refusals included, is a JSON body ``{"error": {"status", "message"}}`` or a result.
"""
import json
import logging
import time
from decimal import Decimal

from pyramid.exceptions import BadCSRFToken, URLDecodeError
from pyramid.httpexceptions import (
    HTTPBadRequest,
    HTTPException,
    HTTPForbidden,
    HTTPNotFound,
    HTTPRequestEntityTooLarge,
)
from pyramid.response import Response
from pyramid.view import view_config

from portal.api.entities import api_entities
from portal.api.feed.openapi import add_feed
from portal.api.feed.registry import feed_kinds
from portal.api.openapi import openapi_document
from portal.api.refusals import record_answered_call
from portal.api.resources import STARTED, ApiV1, EntityContainer, EntityItem
from portal.api.services import batch_size, jsonable, log_call, upsert_batch
from portal.i18n import _
from portal.security.permissions import Permission

log = logging.getLogger(__name__)


def json_error(request, status, message, **extra):
    body = {"error": dict({"status": status, "message": request.localizer.translate(message)}, **extra)}
    return Response(json_body=body, status=status, charset="utf-8")


def flag(request, name) -> bool:
    return request.GET.get(name, "").lower() in ("1", "true", "yes")


def record_call(request, status, outcome, counts=None):
    identity = request.identity
    log_call(request.dbsession, key_id=getattr(identity, "key_id", None), method=request.method,
             endpoint=request.path_info, status=status, outcome=outcome, counts=counts,
             started=request.environ.get(STARTED, time.monotonic()))


def refuse(request, status, message):
    """A refusal the view itself decides (its transaction commits, so the call stays in the log)."""
    record_call(request, status, "refused")
    return json_error(request, status, message)


def read_rows(request):
    """The rows of the body (one object, or ``{"items": [...]}``), or an error response."""
    try:
        body = json.loads(request.body, parse_float=Decimal)
    except ValueError:
        return None, refuse(request, 400, _("The body is not valid JSON."))
    if isinstance(body, dict) and "items" in body:
        rows = body["items"]
        if not isinstance(rows, list) or set(body) != {"items"}:
            return None, refuse(request, 400, _('"items" must be the only key and hold a list of objects.'))
    elif isinstance(body, dict):
        rows = [body]
    else:
        return None, refuse(request, 400, _('The body must be one object or {"items": [...]}.'))
    limit = batch_size(request.registry.settings)
    if len(rows) > limit:
        return None, refuse(request, 413, _("A batch holds at most ${limit} items.", mapping={"limit": limit}))
    return rows, None


@view_config(context=EntityContainer, request_method="POST", permission=Permission.ApiWrite,
             renderer="json", require_csrf=False)
def upsert(context, request):
    rows, refusal = read_rows(request)
    if refusal is not None:
        return refusal
    atomic = flag(request, "atomic")
    results, counts, kept = upsert_batch(request.dbsession, context.entity, rows, lenient=flag(request, "lenient"),
                                         atomic=atomic, translate=request.localizer.translate)
    status = 200 if kept else 422
    request.response.status = status
    record_call(request, status, "ok" if not counts["error"] else ("rolled-back" if not kept else "partial"), counts)
    return {"entity": context.entity.name, "atomic": atomic, "committed": kept, "counts": counts, "results": results}


def found_record(context, request):
    return context.entity.find(request.dbsession, context.external_id)


@view_config(context=EntityItem, request_method="GET", permission=Permission.ApiRead,
             renderer="json", require_csrf=False)
def read_one(context, request):
    record = found_record(context, request)
    if record is None:
        return refuse(request, 404, _("There is no such record."))
    record_call(request, 200, "ok")
    return jsonable(context.entity.current(record))


@view_config(context=EntityItem, request_method="DELETE", permission=Permission.ApiWrite,
             renderer="json", require_csrf=False)
def delete_one(context, request):
    entity = context.entity
    if entity.delete is None:
        response = refuse(request, 405, _("Records of this kind cannot be deleted through the API."))
        response.allow = ("GET",)
        return response
    record = found_record(context, request)
    if record is None:
        return refuse(request, 404, _("There is no such record."))
    entity.delete(request.dbsession, record)
    record_call(request, 200, "ok")
    return {"external_id": context.external_id, "result": "deleted"}


@view_config(context=ApiV1, name="openapi.json", request_method="GET", permission=Permission.ApiRead,
             renderer="json", require_csrf=False)
def openapi(context, request):
    """The OpenAPI 3.1 document, made from the registered entities' and feed kinds' schemas on each call."""
    document = openapi_document(api_entities(request.registry), server_url=request.resource_url(context).rstrip("/"),
                                batch_size=batch_size(request.registry.settings))
    return add_feed(document, feed_kinds(request.registry))


# Errors under /api/: registered for the same exception classes as the HTML error pages (views/errors.py),
# with the ``api_request`` predicate (security/policy.py), so that these are chosen first there.
def api_exception_view(context, **kw):
    return view_config(context=context, api_request=True, exception_only=True, require_csrf=False, **kw)


def answer_error(request, status, message):
    """An exception view's JSON error, the call logged (refusals.py: after the request's transaction)."""
    record_answered_call(request, status)
    return json_error(request, status, message)


@api_exception_view(HTTPForbidden)
def forbidden(exc, request):
    if request.identity is None:
        response = answer_error(request, 401, _("A valid API key is required (Authorization: Bearer <key>)."))
        response.www_authenticate = ("Bearer", {"realm": "portal"})
        return response
    return answer_error(request, 403, _("This API key may not do this."))


@api_exception_view(HTTPNotFound)
def not_found(exc, request):
    return answer_error(request, 404, _("There is no such resource."))


@api_exception_view(HTTPRequestEntityTooLarge)
def too_large(exc, request):
    return answer_error(request, 413, _("The request body is too large."))


@api_exception_view(HTTPBadRequest)
@api_exception_view(BadCSRFToken)
@api_exception_view(URLDecodeError)
@api_exception_view(UnicodeDecodeError)
def bad_request(exc, request):
    return answer_error(request, 400, _("The request could not be understood."))


@api_exception_view(HTTPException)
def http_error(exc, request):
    return answer_error(request, exc.code, _("The request cannot be answered (${status}).",
                                             mapping={"status": exc.code}))


@api_exception_view(Exception, retryable_error=False)
def server_error(exc, request):
    log.exception("unhandled API error on %s %s", request.method, request.path_info)
    return answer_error(request, 500, _("Something went wrong; the error has been logged."))
