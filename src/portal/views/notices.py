"""``/account/notices``: the user's in-app notices of workflow moves, newest first; marking them read."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from portal.identity.resources import AccountArea
from portal.security.permissions import Permission
from portal.views.listing import list_page
from portal.workflows.kinds import item_path, work_kind
from portal.workflows.models import Notice
from portal.workflows.notices import mark_read


def item_url(request, notice: Notice) -> str:
    return request.application_url + item_path(request.registry, notice.workflow, notice.party_id, notice.item_id)


@view_config(context=AccountArea, name="notices", request_method=("GET", "HEAD"),
             permission=Permission.AccountView, renderer="portal:templates/notices.pt")
def notices(context, request):
    user_id = request.authenticated_userid
    statement = select(Notice).where(Notice.user_id == user_id).order_by(Notice.created_at.desc(), Notice.id.desc())
    page = list_page(request, statement)
    rows = [
        {
            "notice": n,
            "url": item_url(request, n),
            "kind": work_kind(request.registry, n.workflow).title,
            "state": work_kind(request.registry, n.workflow).workflow.state(n.to_state).title,
        }
        for n in page.items
    ]
    return {"page": page, "rows": rows}


@view_config(context=AccountArea, name="notices", request_method="POST", permission=Permission.AccountEdit)
def notices_read(context, request):
    mark_read(request.dbsession, request.authenticated_userid)
    return HTTPSeeOther(request.resource_url(context, "notices"))
