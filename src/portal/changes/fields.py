"""The master data fields a customer may ask to change: the one vocabulary the workflow, the
forms and the pages share."""
from portal.i18n import _

FIELDS = {
    "billing_address": _("Billing address"),
    "contact_person": _("Contact person"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "bank_account": _("Bank account"),
    "invoice_channel": _("Invoice delivery channel"),
}
