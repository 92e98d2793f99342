"""The shared web layer: layout and navigation, list pages, form views, downloads, error pages,
the workflow panel and transitions, the user's notices; and the static files."""
from pyramid.security import NO_PERMISSION_REQUIRED


def includeme(config):
    config.include(".navigation")
    config.include(".listing")
    config.include(".xlsx")
    config.add_static_view("static", "portal:static", cache_max_age=3600, permission=NO_PERMISSION_REQUIRED)
    config.scan(".layout")
    config.scan(".errors")
    config.scan(".workflow")
    config.scan(".notices")
