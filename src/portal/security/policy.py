"""The security policy: identity from the server-side login session, ACL decisions."""
from pyramid.authorization import ACLHelper
from pyramid.request import RequestLocalCache

from portal.identity.interfaces import IAuthService
from portal.security.principals import principals_for


class PortalSecurityPolicy:
    """Identity comes from the session's auth token; permits() asks the context's ACL."""

    def __init__(self):
        self.helper = ACLHelper()
        self.identity_cache = RequestLocalCache(self._load_identity)
        # A page asks permits() a dozen times (view, navigation, links): the principals once.
        self.principals_cache = RequestLocalCache(self._principals)

    def _load_identity(self, request):
        return request.find_service(IAuthService).identity()

    def _principals(self, request):
        return tuple(principals_for(self.identity(request)))

    def identity(self, request):
        return self.identity_cache.get_or_create(request)

    def authenticated_userid(self, request):
        identity = self.identity(request)
        return None if identity is None else identity.user.id

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
