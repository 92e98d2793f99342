"""``/p/<id>/invoices/``, ``/p/<id>/payments/`` and ``/p/<id>/statement``: a party's money in the tree.

Each lies under its party and inherits the party's ACL (the finance grants of
``finance/__init__.py``); every query starts from the party of the URL, so
another party's invoice or payment id is simply not found.
"""
from datetime import datetime

from portal.db.ids import id_or_key_error
from portal.finance.models import Invoice, Payment
from portal.finance.models.advances import AdvanceSchedule
from portal.finance.models.price_lists import PriceList, party_price_lists
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


class PriceListsContainer:
    """``/p/<id>/price-lists/``: the price lists the party is shown today (current and archived); any
    other id (a future list, one meant for other customers) is not found, like one that does not exist."""

    segment = "price-lists"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        # The company's today, once per request: every status on a page is of one day.
        self.today = datetime.now(parent.__parent__.registry["portal_tz"]).date()

    @property
    def party(self):
        return self.__parent__.party

    @property
    def dbsession(self):
        return self.__parent__.dbsession

    def query(self):
        """Every query of the party's price lists starts here."""
        return party_price_lists(self.party.id, self.today)

    def __getitem__(self, key):
        price_list = self.dbsession.scalars(self.query().where(PriceList.id == id_or_key_error(key))).first()
        if price_list is None:
            raise KeyError(key)
        return PriceListResource(price_list, self)


class PriceListResource:
    """One price list the party is shown; its views are the items (with their export) and the PDF."""

    def __init__(self, price_list: PriceList, parent: PriceListsContainer):
        self.price_list = price_list
        self.__name__ = str(price_list.id)
        self.__parent__ = parent

    @property
    def party(self):
        return self.__parent__.party

    @property
    def today(self):
        return self.__parent__.today

    @property
    def dbsession(self):
        return self.__parent__.dbsession


class AdvanceScheduleResource(ItemResource):
    """One advance schedule of the party, with its payments; its PDF is the view ``pdf``."""

    @property
    def schedule(self) -> AdvanceSchedule:
        return self.item


class AdvancesContainer(ItemContainer):
    """``/p/<id>/advances/``: the party's advance schedules; its views are the list and its export."""

    segment = "advances"
    model = AdvanceSchedule
    item_factory = AdvanceScheduleResource
