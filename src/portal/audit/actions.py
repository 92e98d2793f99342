"""What the audit log's codes mean to a reader: each action's title, each kind of object's name.

Entries keep machine codes (``user.block``, ``party:12``) so that they can be
filtered and stay meaningful when a title is reworded; the page and its export
show these titles in the reader's language. An action missing here is shown by
its code, so a package's new action is never hidden, only untitled.
"""
from portal.i18n import _

ACTION_TITLES = {
    # Logging in and passwords.
    "login.success": _("Logged in"),
    "login.failure": _("Failed login"),
    "login.lockout": _("Login locked after failed attempts"),
    "password.change": _("Changed own password"),
    "password.too_many_wrong": _("Login locked: current password mistyped too often"),
    "login.two_factor_failure": _("Wrong two-factor code at login"),
    "password.reset_request": _("Password-reset link sent"),
    "password.reset": _("Password set through a reset link"),
    "invitation.send": _("Invitation sent"),
    "invitation.accept": _("Invitation accepted: password chosen"),
    "user.temporary_password": _("Temporary password issued"),
    "two_factor.enable": _("Two-factor login turned on"),
    "two_factor.disable": _("Two-factor login turned off"),
    "two_factor.admin_disable": _("Two-factor login turned off by an administrator"),
    "two_factor.recovery_codes": _("New recovery codes made"),
    "two_factor.recovery_code_used": _("Logged in with a recovery code"),
    # Users, their roles and the parties they act for.
    "user.create": _("User created"),
    "user.update": _("User details changed"),
    "user.set_password": _("Password set by an administrator"),
    "user.block": _("User blocked"),
    "user.unblock": _("User unblocked"),
    "user.unlock": _("Login unlocked"),
    "address.unlock": _("Address unlocked"),
    "user.roles": _("Roles changed"),
    "membership.add": _("Access to a party granted"),
    "membership.activate": _("Access to a party restored"),
    "membership.revoke": _("Access to a party revoked"),
    "membership.suspend": _("Access to a party suspended"),
    "membership.role": _("Role in a party changed"),
    # Parties and their contracts.
    "party.create": _("Party created"),
    "party.update": _("Party changed"),
    "party.block": _("Party blocked"),
    "party.unblock": _("Party unblocked"),
    "contract.create": _("Contract added"),
    "contract.update": _("Contract changed"),
    # Settings.
    "request_type.create": _("Request type created"),
    "request_type.update": _("Request type changed"),
    "sla.update": _("SLA changed"),
    "staff_group.create": _("Staff group created"),
    "staff_group.rename": _("Staff group renamed"),
    "staff_group.add_member": _("Member added to a staff group"),
    "staff_group.remove_member": _("Member removed from a staff group"),
    "staff_group.delete": _("Staff group deleted"),
    "messages.group": _("Staff group answering messages changed"),
    "outbox.retry": _("Failed e-mails sent again"),
    "notifications.defaults": _("Notification defaults of staff roles changed"),
    "api_key.create": _("API key created"),
    "api_key.revoke": _("API key revoked"),
    "api.recheck": _("Records with missing references re-checked"),
    "webhook.create": _("Webhook added"),
    "webhook.pause": _("Webhook paused"),
    "webhook.resume": _("Webhook resumed"),
    "webhook.delete": _("Webhook deleted"),
    "webhook.retry": _("Failed webhook deliveries sent again"),
    # Self-registration, requests to act for a company, accounts made by post.
    "registration.new": _("Registered"),
    "registration.address_in_use": _("Registration with an address already in use"),
    "registration.complete": _("Registration confirmed (e-mail and phone)"),
    "registration.request": _("Asked to act for a company"),
    "registration.bind": _("Bound to a party on request"),
    "registration.reject": _("Request to act for a company rejected"),
    "activation.letter": _("Account made by post (activation letter)"),
    "activation.done": _("Account activated with both parts of its code"),
    # Decisions on customers' master data, and what left the portal.
    "change_request.apply": _("Change request approved and applied"),
    "change_request.reject": _("Change request rejected"),
    "list.export": _("List exported"),
    # The document library.
    "document.create": _("Document published"),
    "document.update": _("Document changed"),
    "document.replace": _("New version of a document"),
    "document.withdraw": _("Document withdrawn"),
    "document.attach": _("Document attached to a party"),
    "document_folder.create": _("Document folder created"),
    "document_folder.rename": _("Document folder renamed"),
    "document_folder.delete": _("Document folder deleted"),
}

# The part of a target before its colon (``staff_group:4``), or a whole target without one (``sla``).
KIND_TITLES = {
    "user": _("User"),
    "party": _("Party"),
    "contract": _("Contract"),
    "staff_group": _("Staff group"),
    "request_type": _("Request type"),
    "change_request": _("Change request"),
    "document": _("Document"),
    "document_folder": _("Document folder"),
    "address": _("Address"),
    "list": _("List"),
    "sla": _("SLA"),
    "outbox": _("Outbox"),
    "notifications": _("Notifications"),
    "messages": _("Messages"),
    "api_key": _("API key"),
    "webhook": _("Webhook"),
    "webhooks": _("Webhooks"),
}


def action_title(action: str):
    """The action's translatable title, or its code when it has none."""
    return ACTION_TITLES.get(action, action)
