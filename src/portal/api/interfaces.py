"""Interfaces of the API's services, looked up by the security policy."""
from zope.interface import Interface


class IApiKeyService(Interface):
    """Who an ``/api/`` request is, from its bearer token."""

    def identity():
        """An ApiKeyIdentity for a valid, unrevoked key, else None."""
