"""The integration API at ``/api/v1/``: API keys (bearer tokens), the entity registry each domain
fills with ``config.add_api_entity``, batch upserts with per-row results, and the call log; the
admin's ``/admin/integration/``: the integration's health, the keys, the call log, inconsistencies;
the feed of what customers submitted (feed/) and its webhooks (webhooks/).

Listed last among the core packages; ``.entities`` (the directive) is included by any package that
declares an entity before this one is, which is harmless: it only adds the directive.
"""


def includeme(config):
    from portal.api.interfaces import IApiKeyService
    from portal.api.keys import api_key_service_factory
    from portal.api.resources import ApiRoot, IntegrationArea
    from portal.i18n import _
    from portal.security.permissions import Permission
    from portal.security.policy import ApiRequestPredicate
    from portal.views.navigation import area_link

    config.include(".entities")
    config.include(".feed")
    config.include(".webhooks")
    config.register_service_factory(api_key_service_factory, IApiKeyService)
    config.add_root_area("api", ApiRoot)
    config.add_admin_child(IntegrationArea.segment, IntegrationArea)
    config.add_admin_permission(Permission.AdminIntegration)
    config.add_nav_item("admin-integration", area_link(_("Integration"), "admin", Permission.AdminIntegration,
                                                       "integration", ""), order=540)
    config.add_view_predicate("api_request", ApiRequestPredicate)
    config.scan(".views")
    config.scan(".pages")
    config.scan(".health_pages")
    config.scan(".docs")
