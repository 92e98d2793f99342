"""deform set-up (our templates first, translations through the request's localizer), the
schema base every form shares (its CSRF token) and the preparer of every text field."""
from importlib.resources import files

import colander
import deform
from pyramid.csrf import get_csrf_token
from pyramid.i18n import TranslationString
from pyramid.threadlocal import get_current_request

from portal.i18n import _, translate_with

# deform's and colander's messages we word ourselves (their own Russian reads badly): named here so
# the extractor puts them in our catalog, which the translator below asks instead of theirs.
OWN_WORDING = (
    _("There was a problem with your submission"),
    _("Errors have been highlighted below"),
    _("There was a problem with this section"),
    _("Required"),
    _("Longer than maximum length ${max}"),
    _("Shorter than minimum length ${min}"),
    _("Invalid email address"),
    _("Invalid value"),
    _("Invalid date"),
    _("Invalid time"),
    _("Incomplete date"),
    _("Incomplete time"),
    _('"${val}" is not a number'),
    _("${val} is less than minimum value ${min}"),
    _("${val} is greater than maximum value ${max}"),
    _('"${val}" is not one of ${choices}'),
)
OWN_MSGIDS = frozenset(str(message) for message in OWN_WORDING)
LIBRARY_DOMAINS = ("deform", "colander")


def translator(term):
    request = get_current_request()
    if request is None:
        return term
    if isinstance(term, TranslationString) and term.domain in LIBRARY_DOMAINS and str(term) in OWN_MSGIDS:
        term = TranslationString(str(term), domain="portal", default=term.default, mapping=term.mapping)
    return translate_with(request.localizer, term)


def includeme(config):
    search_path = (
        str(files("portal") / "templates" / "deform"),
        str(files("deform") / "templates"),
    )
    deform.Form.set_default_renderer(
        deform.ZPTRendererFactory(search_path, translator=translator)
    )


def strip_text(value):
    """The preparer of every text field: surrounding blanks go before the required and length
    checks, and a blank value is no value (so "   " is "Required", not an empty subject)."""
    if isinstance(value, str):
        value = value.strip()
        return value if value else colander.null
    return value


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
