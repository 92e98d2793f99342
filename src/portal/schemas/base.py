"""Pieces every form schema shares."""
import colander
import deform
from pyramid.csrf import get_csrf_token


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
