"""Administration of who answers customers' messages: the staff group chosen for it.

A customer's message goes to the party's managers, the members of its thread's
group who may see the party, and the staff who already wrote in the thread
(messages/services.py); a thread takes the group chosen here when it starts.
Asks ``Permission.AdminWorkflows`` (admins only); every change is audited.
"""
import colander
from pyramid.view import view_config

from portal.admin.resources import MessageSettingsArea, StaffGroupsContainer
from portal.admin.schemas import MessageGroupSchema
from portal.admin.services import SettingRefused, members_of, message_group, set_message_group
from portal.admin.views.settings import all_groups, saved, settings_nav
from portal.audit.interfaces import IAuditService
from portal.i18n import _
from portal.security.permissions import Permission
from portal.views.forms import FormView

MESSAGES_FORM = dict(context=MessageSettingsArea, name="", permission=Permission.AdminWorkflows,
                     renderer="portal:admin/templates/messages.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **MESSAGES_FORM)
@view_config(attr="post", request_method="POST", **MESSAGES_FORM)
class MessageGroupForm(FormView):
    """Choose the staff group that answers messages, or none."""

    schema_class = MessageGroupSchema
    formid = "message-group"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.groups = all_groups(request.dbsession)
        self.current = message_group(request.dbsession)

    def bind_kwargs(self):
        return {"groups": self.groups}

    def action(self):
        return self.request.resource_url(self.context)

    def appstruct(self):
        return {"group_id": str(self.current.id) if self.current is not None else colander.null}

    def page(self, form_html):
        return {
            "form": form_html,
            "current": self.current,
            "members": members_of(self.request.dbsession, self.current) if self.current is not None else [],
            "groups_url": self.request.resource_url(self.context.__parent__, StaffGroupsContainer.segment, ""),
            "settings_nav": settings_nav(self.request, self.context),
        }

    def success(self, appstruct, upload):
        group_id = int(appstruct["group_id"]) if appstruct["group_id"] else None
        try:
            changed = set_message_group(self.request.dbsession, self.request.find_service(IAuditService), group_id)
        except SettingRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        url = self.request.resource_url(self.context)
        if not changed:
            return saved(self.request, _("Nothing has changed."), url, "info")
        if group_id is None:
            return saved(self.request, _("No group answers messages now. New conversations go to the parties' "
                                         "managers, else to all back-office and service staff."), url)
        return saved(self.request, _("The group that answers messages has been saved. It applies to "
                                     "conversations started from now on."), url)
