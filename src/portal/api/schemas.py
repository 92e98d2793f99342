"""The admin page's form: a new API key's name and scope."""
import colander
import deform

from portal.api.models import ApiScope
from portal.forms import CSRFSchema, strip_text
from portal.i18n import _

SCOPE_TITLES = {ApiScope.read: _("Read only"), ApiScope.write: _("Read and write")}


class ApiKeySchema(CSRFSchema):
    name = colander.SchemaNode(colander.String(), title=_("Name (what the key is for)"), preparer=strip_text,
                               validator=colander.Length(max=100))
    scope = colander.SchemaNode(colander.String(), title=_("Scope"), default=ApiScope.read.value,
                                validator=colander.OneOf([s.value for s in ApiScope]),
                                widget=deform.widget.SelectWidget(
                                    values=[(s.value, t) for s, t in SCOPE_TITLES.items()]))
