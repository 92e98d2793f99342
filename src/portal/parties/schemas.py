"""What the integration API accepts for a party and a contract (references by external id)."""
import colander

from portal.i18n import _


def optional_text(length, **kw):
    return colander.SchemaNode(colander.String(), missing=colander.drop,
                               validator=colander.Length(max=length), **kw)


def external_id_node(**kw):
    return colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=64), **kw)


class PartyApiSchema(colander.MappingSchema):
    external_id = external_id_node(title=_("External id"))
    name = colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=255), title=_("Name"))
    tax_id = optional_text(32, title=_("Tax id"))
    address = optional_text(2000, title=_("Address"))
    billing_address = optional_text(2000, title=_("Billing address"))
    contact_person = optional_text(200, title=_("Contact person"))
    email = colander.SchemaNode(colander.String(), missing=colander.drop, title=_("E-mail"),
                                validator=colander.All(colander.Email(), colander.Length(max=254)))
    phone = optional_text(32, title=_("Phone"))
    parent = optional_text(64, title=_("Parent (external id of the holding)"))


def valid_period(node, values):
    valid_to = values.get("valid_to")
    if valid_to is not None and valid_to < values["valid_from"]:
        raise colander.Invalid(node["valid_to"], _("The end is before the start."))


class ContractApiSchema(colander.MappingSchema):
    external_id = external_id_node(title=_("External id"))
    party = external_id_node(title=_("Party (external id)"))
    number = colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=64), title=_("Number"))
    valid_from = colander.SchemaNode(colander.Date(), title=_("Valid from"))
    valid_to = colander.SchemaNode(colander.Date(), missing=colander.drop, title=_("Valid to"))

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=valid_period, **kw)
