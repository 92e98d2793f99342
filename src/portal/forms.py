"""deform set-up: our templates first, translations through the request's localizer."""
from importlib.resources import files

import deform
from pyramid.threadlocal import get_current_request


def translator(term):
    request = get_current_request()
    if request is None:
        return term
    return request.localizer.translate(term)


def includeme(config):
    search_path = (
        str(files("portal") / "templates" / "deform"),
        str(files("deform") / "templates"),
    )
    deform.Form.set_default_renderer(
        deform.ZPTRendererFactory(search_path, translator=translator)
    )
