"""The master data fields a customer may ask to change, in the order of the form: the one vocabulary
the workflow, the forms and the pages share. The bank details are three fields, as the accounting
system keeps them (bank.py: what each accepts)."""
from portal.i18n import _

FIELDS = {
    "billing_address": _("Billing address"),
    "contact_person": _("Contact person"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "bank_name": _("Bank name"),
    "bank_bic": _("BIC"),
    "bank_account": _("Account number"),
    "invoice_channel": _("Invoice delivery channel"),
    "invoice_email": _("E-mail for invoices"),
}
