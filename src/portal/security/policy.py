"""The security policy: identity from the server-side login session (or, under ``/api/``, from an
API key's bearer token alone), ACL decisions."""
from pyramid.authorization import ACLHelper
from pyramid.request import RequestLocalCache

from portal.api.interfaces import IApiKeyService
from portal.identity.interfaces import SESSION_IDENTITY, IAuthService
from portal.security.principals import ApiKeyIdentity, principals_for

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    """Read from the raw WSGI path: a path that is not UTF-8 must still get its 400 (not raise here)."""
    return request.environ.get("PATH_INFO", "").startswith(API_PREFIX)


class ApiRequestPredicate:
    """The view predicate ``api_request=True``: the request is under ``/api/``."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return f"api_request = {self.value}"

    phash = text

    def __call__(self, context, request):
        return is_api_request(request) == self.value


class PortalSecurityPolicy:
    """Identity comes from the session's auth token; permits() asks the context's ACL."""

    def __init__(self):
        self.helper = ACLHelper()
        self.identity_cache = RequestLocalCache(self._load_identity)
        # A page asks permits() a dozen times (view, navigation, links): the principals once.
        self.principals_cache = RequestLocalCache(self._principals)

    def _load_identity(self, request):
        # The API knows no cookie: a customer's browser session opens nothing there (no CSRF to fear).
        if is_api_request(request):
            return request.find_service(IApiKeyService).identity()
        return request.registry[SESSION_IDENTITY](request)

    def _principals(self, request):
        return tuple(principals_for(self.identity(request)))

    def identity(self, request):
        return self.identity_cache.get_or_create(request)

    def authenticated_userid(self, request):
        identity = self.identity(request)
        return None if identity is None or isinstance(identity, ApiKeyIdentity) else identity.user.id

    def effective_principals(self, request):
        return list(self.principals_cache.get_or_create(request))

    def permits(self, request, context, permission):
        return self.helper.permits(context, self.principals_cache.get_or_create(request), permission)

    def remember(self, request, userid, **kw):
        request.find_service(IAuthService).start_session(userid)
        self.identity_cache.clear(request)
        self.principals_cache.clear(request)
        return []

    def forget(self, request, **kw):
        request.find_service(IAuthService).end_session()
        self.identity_cache.clear(request)
        self.principals_cache.clear(request)
        return []
