"""Threads and messages made through the messages service, as the portal makes them.

A message needs its workflow history and its recipients' receipts, so these
helpers go through services/messages.py rather than writing rows directly.
"""
from portal.messages.services import post_message, start_thread
from portal.workflows.services import WorkflowService


def workflow_service(session, actor_id):
    """A workflow service acting as ``actor_id`` who may do anything (the tests check the views' rights)."""
    return WorkflowService(session, actor_id=actor_id, permits=lambda permission, resource: True,
                           notify=lambda event: None)


def thread(session, party, author, *, from_staff, subject="A question", body="Hello", replies=0):
    """A thread of ``party`` started by ``author``, plus ``replies`` more messages by the same author."""
    service = workflow_service(session, author.id)
    made, first = start_thread(service, party_id=party.id, author_id=author.id, from_staff=from_staff,
                               subject=subject, body=body)
    for n in range(replies):
        post_message(service, made, author_id=author.id, from_staff=from_staff, body=f"{body} #{n + 2}")
    session.flush()
    return made
