"""Engine, session factory and the per-request transactional session."""
import os

import zope.sqlalchemy
from sqlalchemy import engine_from_config, event
from sqlalchemy.orm import configure_mappers, sessionmaker

from .attachments import Attachment  # noqa: F401
from .audit import AuditEntry  # noqa: F401
from .auth import AuthSession, LoginFailure  # noqa: F401
from .identity import (  # noqa: F401
    Contract,
    ManagerAssignment,
    Membership,
    MembershipState,
    Party,
    Role,
    User,
    UserRole,
    UserState,
)
from .change_requests import ChangeRequest  # noqa: F401
from .messages import Message, MessageReceipt, MessageThread  # noqa: F401
from .meta import Base  # noqa: F401
from .outbox import OutboxMessage, OutboxState  # noqa: F401
from .requests import CustomerRequest, RequestType  # noqa: F401
from .tickets import ServiceTicket, SlaPolicy  # noqa: F401
from .workflow import (  # noqa: F401
    Notice,
    Priority,
    StaffGroup,
    StaffGroupMember,
    WorkflowHistory,
)

configure_mappers()

def database_url(settings) -> str:
    """PORTAL_DB_URL wins over the .ini, so one file serves many deployments."""
    return os.environ.get("PORTAL_DB_URL") or settings["sqlalchemy.url"]


def _sqlite_pragmas(dbapi_connection, connection_record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def get_engine(settings, prefix="sqlalchemy.", **kw):
    """The engine for ``settings``; on SQLite the database's folder is made if missing (a fresh
    clone has no ``var/``), and the pragmas are set on every connection."""
    settings = dict(settings)
    settings[prefix + "url"] = database_url(settings)
    engine = engine_from_config(settings, prefix, future=True, **kw)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        _ensure_sqlite_dir(engine.url.database)
    return engine


def _ensure_sqlite_dir(path):
    if path and path != ":memory:":
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)


def get_session_factory(engine):
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_tm_session(session_factory, transaction_manager, request=None):
    """A session joined to ``transaction_manager``: commit and abort follow it."""
    dbsession = session_factory(info={"request": request})
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


def includeme(config):
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # pyramid_tm would read the user (a query) while handling any error, so a
    # database outage could never reach our error page.
    settings.setdefault("tm.annotate_user", "false")
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    engine = get_engine(settings)
    session_factory = get_session_factory(engine)
    config.registry["dbsession_factory"] = session_factory
    config.registry["db_engine"] = engine

    def dbsession(request):
        # Tests inject a session through the environ to share one transaction.
        session = request.environ.get("app.dbsession")
        if session is None:
            session = get_tm_session(session_factory, request.tm, request=request)
        return session

    config.add_request_method(dbsession, reify=True)
