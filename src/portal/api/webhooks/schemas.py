"""The admin page's form: a new webhook's kind of event and URL."""
from urllib.parse import urlsplit

import colander
import deform

from portal.forms import CSRFSchema, strip_text
from portal.i18n import _

MAX_URL = 2000


def valid_url(node, value):
    """An http or https address with a host, and nothing in it a request line cannot carry."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise colander.Invalid(node, _("Enter an address starting with https:// (or http://) and a host name."))
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
        raise colander.Invalid(node, _("An address cannot contain spaces or control characters."))


@colander.deferred
def _kind_widget(node, kw):
    return deform.widget.SelectWidget(values=[(name, title) for name, title in kw["kinds"]])


@colander.deferred
def _kind_validator(node, kw):
    return colander.OneOf([name for name, _title in kw["kinds"]])


class WebhookSchema(CSRFSchema):
    """Bind it with ``kinds``: (name, translated title) of every feed kind declared."""

    kind = colander.SchemaNode(colander.String(), title=_("Events"), widget=_kind_widget,
                               validator=_kind_validator)
    url = colander.SchemaNode(colander.String(), title=_("Address (URL) that receives them"), preparer=strip_text,
                              validator=colander.All(colander.Length(max=MAX_URL), valid_url),
                              widget=deform.widget.TextInputWidget(attributes={"type": "url",
                                                                               "placeholder": "https://"}))
