"""Applying workflow transitions for the current user: the one way any item changes state."""
from zope.interface import Interface, implementer

from portal.workflows.engine import TransitionContext


class IWorkflowService(Interface):
    """Create items, list and apply their transitions, read their timeline."""


@implementer(IWorkflowService)
class WorkflowService:
    """Binds the engine to one actor: ``permits(permission, resource)`` and ``notify(event)``."""

    def __init__(self, dbsession, *, actor_id, permits, notify):
        self.db = dbsession
        self.actor_id = actor_id
        self.permits = permits
        self.notify = notify

    def context(self, comment="", **data) -> TransitionContext:
        return TransitionContext(session=self.db, actor_id=self.actor_id, comment=comment or "", data=data)

    def create(self, workflow, item, comment="", **data):
        workflow.start(item, self.context(comment, **data), notify=self.notify)
        return item

    def available(self, resource):
        # Guards run when a transition is applied, where they can say why they refuse.
        return resource.workflow.available(resource.item, lambda p: self.permits(p, resource))

    def apply(self, resource, name, *, comment="", expected_version=None, **data):
        """Apply one named transition; raises a WorkflowError (nothing applied) when refused."""
        return resource.workflow.apply(
            resource.item, name, self.context(comment, **data),
            permits=lambda p: self.permits(p, resource), notify=self.notify,
            expected_version=expected_version,
        )

    def timeline(self, resource):
        return resource.workflow.history(self.db, resource.item)


def workflow_service_factory(context, request):
    return WorkflowService(
        request.dbsession,
        actor_id=request.authenticated_userid,
        permits=lambda permission, resource: bool(request.has_permission(permission, resource)),
        notify=request.registry.notify,
    )


def includeme(config):
    config.register_service_factory(workflow_service_factory, IWorkflowService)
