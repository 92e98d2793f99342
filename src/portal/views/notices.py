"""``/account/notices``: the user's in-app notices of workflow moves, newest first; marking them read."""
from collections import defaultdict

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.identity.resources import AccountArea
from portal.parties.models import Party
from portal.security.permissions import Permission
from portal.views.listing import list_page
from portal.workflows.due import STAGE_TITLES
from portal.workflows.kinds import item_path, work_kind
from portal.workflows.models import Notice
from portal.workflows.notices import mark_read


def item_url(request, notice: Notice) -> str:
    return request.application_url + item_path(request.registry, notice.workflow, notice.party_id, notice.item_id)


def item_subjects(request, page_notices) -> dict:
    """{(workflow, item id): subject} of the page's notices: one query per kind of item on the page
    (a kind without a subject, such as a change request, needs none)."""
    wanted = defaultdict(set)
    for n in page_notices:
        wanted[n.workflow].add(n.item_id)
    subjects = {}
    for workflow, ids in wanted.items():
        model = work_kind(request.registry, workflow).model
        if not hasattr(model, "subject"):
            continue
        for item_id, subject in request.dbsession.execute(
                select(model.id, model.subject).where(model.id.in_(sorted(ids)))):
            subjects[workflow, item_id] = subject
    return subjects


def party_names(request, page_notices) -> dict:
    """{party id: name} of the page's notices, in one query."""
    ids = sorted({n.party_id for n in page_notices})
    if not ids:
        return {}
    return dict(request.dbsession.execute(select(Party.id, Party.name).where(Party.id.in_(ids))).all())


@view_config(context=AccountArea, name="notices", request_method=("GET", "HEAD"),
             permission=Permission.AccountView, renderer="portal:templates/notices.pt")
def notices(context, request):
    user_id = request.authenticated_userid
    statement = (select(Notice).where(Notice.user_id == user_id).options(selectinload(Notice.actor))
                 .order_by(Notice.created_at.desc(), Notice.id.desc()))
    page = list_page(request, statement)
    subjects = item_subjects(request, page.items)
    parties = party_names(request, page.items)
    rows = [
        {
            "notice": n,
            "url": item_url(request, n),
            "kind": work_kind(request.registry, n.workflow).title,
            "subject": subjects.get((n.workflow, n.item_id)),
            "party": parties.get(n.party_id, ""),
            # A reminder of a due time says its stage; a move, the state it moved the item to.
            "state": (STAGE_TITLES.get(n.transition)
                      or work_kind(request.registry, n.workflow).workflow.state(n.to_state).title),
        }
        for n in page.items
    ]
    return {"page": page, "rows": rows}


@view_config(context=AccountArea, name="notices", request_method="POST", permission=Permission.AccountEdit)
def notices_read(context, request):
    mark_read(request.dbsession, request.authenticated_userid)
    return HTTPSeeOther(request.resource_url(context, "notices"))
