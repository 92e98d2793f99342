"""deform set-up (our templates first, translations through the request's localizer) and the
schema base every form shares (its CSRF token)."""
from importlib.resources import files

import colander
import deform
from pyramid.csrf import get_csrf_token
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


@colander.deferred
def _csrf_token_default(node, kw):
    return get_csrf_token(kw["request"])


class CSRFSchema(colander.Schema):
    """Carries the CSRF token; Pyramid checks it before the view runs."""

    csrf_token = colander.SchemaNode(
        colander.String(),
        default=_csrf_token_default,
        widget=deform.widget.HiddenWidget(),
        missing=colander.drop,
    )
