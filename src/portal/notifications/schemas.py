"""Forms of notifications: a person's channel per kind, and the defaults per staff role. The kinds
and the channels each offers come from the view (``choices``: name, title, description, and the
(value, title) pairs to choose from)."""
import colander
import deform

from portal.forms import CSRFSchema
from portal.i18n import _

KIND_DEFAULT = ""  # a role's default left to the kind's own


def _choice(name, title, values, *, description=None, **kw) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), name=name, title=title, description=description,
                               validator=colander.OneOf([value for value, _title in values]),
                               widget=deform.widget.SelectWidget(values=values), **kw)


def preferences_schema(choices) -> colander.Schema:
    """A channel for each kind of ``choices``."""
    schema = CSRFSchema()
    for name, title, description, values in choices:
        schema.add(_choice(name, title, values, description=description))
    return schema


def role_defaults_schema(roles, choices) -> colander.Schema:
    """For each of ``roles`` ((value, title) pairs), a channel or the kind's own default for each kind."""
    schema = CSRFSchema()
    for role, role_title in roles:
        section = colander.SchemaNode(colander.Mapping(), name=role, title=role_title)
        for name, title, _description, values in choices:
            section.add(_choice(name, title, [(KIND_DEFAULT, _("Not set"))] + list(values), missing=KIND_DEFAULT))
        schema.add(section)
    return schema
