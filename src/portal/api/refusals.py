"""The call log of ``/api/`` calls that an exception view answers (no key, a read key writing, no such
path, a body too large, a server error).

pyramid_tm aborts the request's transaction whenever an exception view answers, so such a call
cannot be logged in it: it is logged when the request has ended, in a transaction of its own. When
the request's transaction is still open (a caller manages it around the application, as the tests
do), the row joins that one instead.
"""
import logging
import re
import time

from sqlalchemy.exc import SQLAlchemyError

from portal.api.resources import STARTED
from portal.api.services import log_call
from portal.i18n import identity_or_none

log = logging.getLogger(__name__)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def raw_endpoint(request) -> str:
    """The path as it came (``request.path_info`` raises on one that is not UTF-8), printable."""
    return CONTROL.sub("?", request.environ.get("PATH_INFO", ""))


def record_answered_call(request, status: int) -> None:
    """Log this call once the request has ended: its key (None without a valid one), path, status."""
    key_id = getattr(identity_or_none(request), "key_id", None)
    details = {"key_id": key_id, "method": request.method[:8], "endpoint": raw_endpoint(request),
               "status": status, "outcome": "refused" if status < 500 else "error",
               "started": request.environ.get(STARTED, time.monotonic())}

    def write(request):
        try:
            if "tm.active" in request.environ:
                log_call(request.dbsession, **details)
            else:
                with request.tm:
                    log_call(request.dbsession, **details)
        except SQLAlchemyError:  # the answer is already made; a database that is down loses the log row
            log.exception("could not log the API call %s %s", details["method"], details["endpoint"])

    request.add_finished_callback(write)
