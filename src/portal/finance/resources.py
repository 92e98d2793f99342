"""``/p/<id>/invoices/``, ``/p/<id>/payments/`` and ``/p/<id>/statement``: a party's money in the tree.

Each lies under its party and inherits the party's ACL (the finance grants of
``finance/__init__.py``); every query starts from the party of the URL, so
another party's invoice or payment id is simply not found.
"""
from portal.finance.models import Invoice, Payment
from portal.workflows.resources import ItemContainer, ItemResource


class InvoiceResource(ItemResource):
    """One invoice of the party (``item``); its PDF is the view ``pdf``."""

    @property
    def invoice(self) -> Invoice:
        return self.item


class InvoicesContainer(ItemContainer):
    """The party's invoices; its views are the list, its export and the ZIP of chosen PDFs."""

    segment = "invoices"
    model = Invoice
    item_factory = InvoiceResource


class PaymentResource(ItemResource):
    """One payment of the party, with what it paid."""

    @property
    def payment(self) -> Payment:
        return self.item


class PaymentsContainer(ItemContainer):
    segment = "payments"
    model = Payment
    item_factory = PaymentResource


class StatementResource:
    """``/p/<id>/statement``: the party's settlement statement for the period its query string names."""

    segment = "statement"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment

    @property
    def party(self):
        return self.__parent__.party

    @property
    def dbsession(self):
        return self.__parent__.dbsession
