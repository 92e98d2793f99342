"""Workflow definitions, one file each, on the engine in engine.py."""
from .change_request import CHANGE_REQUEST
from .message import MESSAGE
from .request import REQUEST
from .service_ticket import SERVICE_TICKET

WORKFLOWS = {w.name: w for w in (REQUEST, CHANGE_REQUEST, SERVICE_TICKET, MESSAGE)}
