"""A customer asks for an invoice of an amount they choose: ``/p/<id>/invoices/top-up``.

The request is filed once per form (one-time token), goes to the back office as a customer
request of the configured type, and the page it lands on is that request's, where the customer
follows it until the invoice is issued.
"""
from babel.numbers import format_currency
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portal.finance.resources import InvoicesContainer
from portal.finance.schemas import TopUpSchema
from portal.finance.services.top_up import currency, file_top_up, top_up_type
from portal.i18n import _, translate
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.workflows.services import IWorkflowService


@view_config(context=InvoicesContainer, name="top-up", attr="get", permission=Permission.InvoicesTopUp,
             request_method=("GET", "HEAD"), renderer="portal:finance/templates/top_up.pt")
@view_config(context=InvoicesContainer, name="top-up", attr="post", permission=Permission.InvoicesTopUp,
             request_method="POST", renderer="portal:finance/templates/top_up.pt")
class TopUpView(FormView):
    """The amount and a comment; filed as a request the back office answers with an invoice."""

    schema_class = TopUpSchema
    buttons = (("submit", _("Request the invoice")),)
    formid = "top-up"
    files_once = True

    def __init__(self, context, request):
        super().__init__(context, request)
        settings = request.registry.settings
        self.request_type = top_up_type(request.dbsession, settings)
        self.currency = currency(settings)

    def bind_kwargs(self):
        return {"locale": self.request.locale_name}

    def page(self, form_html):
        return {"form": form_html if self.request_type is not None else None, "currency": self.currency}

    def get(self):
        if self.request_type is None:
            return self.page(None)
        return super().get()

    def post(self):
        if self.request_type is None:
            self.request.response.status = 409
            return self.page(None)
        return super().post()

    def success(self, appstruct, upload):
        amount = format_currency(appstruct["amount"], self.currency, locale=self.request.locale_name)
        party = self.context.party
        subject = translate(self.request, _("Top-up invoice for ${amount}", mapping={"amount": amount}))
        body = appstruct["comment"] or translate(self.request, _("Please issue an invoice for ${amount}.",
                                                                 mapping={"amount": amount}))
        top_up = file_top_up(
            self.request.find_service(IWorkflowService), party_id=party.id,
            author_id=self.request.authenticated_userid, request_type=self.request_type,
            amount=appstruct["amount"], currency=self.currency, subject=subject, body=body,
        )
        self.request.session.flash(translate(self.request, _(
            "Your request #${id} for an invoice of ${amount} has been sent to the back office. "
            "You will be told when the invoice is issued.", mapping={"id": top_up.request_id, "amount": amount})),
            "success")
        requests = self.context.__parent__["requests"]
        return HTTPSeeOther(self.request.resource_url(requests, str(top_up.request_id), ""))
