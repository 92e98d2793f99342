"""Views, one module per domain; ``main()`` scans them."""
from pyramid.security import NO_PERMISSION_REQUIRED


def includeme(config):
    config.add_static_view(
        "static", "portal:static", cache_max_age=3600, permission=NO_PERMISSION_REQUIRED
    )
