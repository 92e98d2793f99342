"""``portal-demo <ini>``: demo parties, contracts and users; run it as often as you like.

Every record is found by its login or accounting id before it is created, so a
second run changes nothing. The logins are listed in README.md.
"""
import argparse
import importlib
import importlib.util
import sys
from datetime import date, timedelta

from sqlalchemy import select

from portal import enabled_modules
from portal.api.demo import load_demo as load_demo_integration
from portal.changes.models import ChangeRequest
from portal.changes.services import draft_change_request
from portal.db.meta import utcnow
from portal.documents.demo import load_demo_documents
from portal.identity.models import Role, User, UserRole
from portal.identity.passwords import password_service_from_settings
from portal.messages.models import MessageThread
from portal.messages.services import start_thread
from portal.onboarding.demo import load_demo_registrations
from portal.parties.models import Contract, ManagerAssignment, Membership, MembershipRole, MembershipState, Party
from portal.requests.models import CustomerRequest, RequestType
from portal.requests.workflow import REQUEST
from portal.scripts.common import db_session, load_settings
from portal.staff.models import StaffGroup, StaffGroupMember
from portal.tickets.models import ServiceTicket, SlaPolicy
from portal.tickets.services import file_ticket
from portal.tickets.sla import BusinessCalendar
from portal.workflows.engine import TransitionContext
from portal.workflows.services import WorkflowService

DEMO_PASSWORD = "Demo-portal-2026"

# external_id, name, tax id, address, parent external_id
PARTIES = [
    ("DEMO-SEVER", "Sever Holding", "7701000001", "Moscow, Tverskaya 1", None),
    ("DEMO-SEVER-ENERGO", "Sever Energo", "7701000002", "Moscow, Tverskaya 1, bldg 2", "DEMO-SEVER"),
    ("DEMO-SEVER-TRANS", "Sever Trans", "7701000003", "Yaroslavl, Vokzalnaya 5", "DEMO-SEVER"),
    ("DEMO-VOSTOK", "Vostok Logistics", "2540000004", "Vladivostok, Portovaya 12", None),
    ("DEMO-YUG", "Yug Vodokanal", "2310000005", "Krasnodar, Krasnaya 40", None),
]

# The master data a customer sees on its account info and may ask to change, in the party's language
# (Sever Holding and Sever Energo are Russian-speaking); BICs are the banks' real ones, every account
# number carries the control digit its BIK asks for (changes/bank.py).
PARTY_DETAILS = {
    "DEMO-SEVER": dict(
        billing_address="125009, г. Москва, ул. Тверская, д. 1", contact_person="Ковалёва Марина Сергеевна",
        email="buh@sever-holding.example", phone="+7 495 101-00-01", bank_name="ПАО Сбербанк",
        bank_bic="044525225", bank_account="40702810200000012345", invoice_channel="email",
        invoice_email="invoices@sever-holding.example"),
    "DEMO-SEVER-ENERGO": dict(
        billing_address="125009, г. Москва, ул. Тверская, д. 1, стр. 2", contact_person="Зайцева Ольга Николаевна",
        email="office@sever-energo.example", phone="+7 495 101-00-02", bank_name="АО «Альфа-Банк»",
        bank_bic="044525593", bank_account="40702810300000067890", invoice_channel="portal"),
    "DEMO-SEVER-TRANS": dict(
        billing_address="Yaroslavl, Vokzalnaya 5, office 12", contact_person="Pavel Sokolov",
        email="accounts@sever-trans.example", phone="+7 4852 30-00-03",
        bank_name="Sberbank PJSC, Yaroslavl branch 17", bank_bic="047888670", bank_account="40702810900000024680",
        invoice_channel="post"),
    "DEMO-VOSTOK": dict(
        billing_address="Vladivostok, Portovaya 12, office 3", contact_person="Nikolai Pak",
        email="office@vostok.example", phone="+7 423 240-00-04", bank_name="Sberbank PJSC, Far East Bank",
        bank_bic="040813608", bank_account="40702810300000013579", invoice_channel="email",
        invoice_email="accounting@vostok.example"),
    "DEMO-YUG": dict(
        billing_address="Krasnodar, Krasnaya 40", contact_person="Igor Belov",
        email="billing@yug-vodokanal.example", phone="+7 861 255-00-05",
        bank_name="Sberbank PJSC, Krasnodar branch 8619", bank_bic="040349602",
        bank_account="40702810800000055501", invoice_channel="email"),
}

# party external_id, contract number, valid from, valid to
CONTRACTS = [
    ("DEMO-SEVER", "H-2024/01", date(2024, 1, 1), None),
    ("DEMO-SEVER-ENERGO", "E-2024/117", date(2024, 3, 1), None),
    ("DEMO-SEVER-ENERGO", "E-2021/044", date(2021, 1, 1), date(2023, 12, 31)),
    ("DEMO-SEVER-TRANS", "T-2025/009", date(2025, 2, 1), None),
    ("DEMO-VOSTOK", "L-2023/310", date(2023, 6, 1), None),
    ("DEMO-YUG", "W-2022/077", date(2022, 9, 1), date(2027, 8, 31)),
]

# Demo records read in their readers' language: the Russian-speaking users (holding, energo) have
# their names, and their parties (Sever Holding, Sever Energo) their requests and threads, in
# Russian; the others are in English. Staff group names are one field read by both: bilingual.

# login, last, first, middle (patronymic), language, roles, member of (external ids), manager of (external ids)
USERS = [
    ("holding", "Орлова", "Ирина", "Викторовна", "ru", [],
     ["DEMO-SEVER", "DEMO-SEVER-ENERGO", "DEMO-SEVER-TRANS"], []),
    ("energo", "Петров", "Сергей", "Петрович", "ru", [], ["DEMO-SEVER-ENERGO"], []),
    ("trans", "Kuznetsova", "Anna", "", "en", [], ["DEMO-SEVER-TRANS"], []),
    ("vostok", "Lee", "Victor", "", "en", [], ["DEMO-VOSTOK"], []),
    ("newcomer", "Sokolova", "Daria", "", "en", [], ["DEMO-SEVER-TRANS"], []),
    ("yug", "Sidorenko", "Olga", "", None, [], ["DEMO-YUG"], []),
    ("backoffice", "Smirnova", "Elena", "", None, [Role.backoffice], [], []),
    ("service", "Volkov", "Dmitry", "", None, [Role.service], [], []),
    ("manager", "Novak", "Pavel", "", None, [Role.manager], [], ["DEMO-VOSTOK", "DEMO-YUG"]),
    ("head", "Morozov", "Andrey", "", None, [Role.head], [], []),
    ("admin", "Admin", "Portal", "", "en", [Role.admin], [], []),
]

# A member's role in a party where it is not "all": the holding's user follows Sever Trans's requests
# and operations, not its money (no invoices, payments, statement or balances there).
MEMBER_ROLES = {("holding", "DEMO-SEVER-TRANS"): MembershipRole.operations}

# Getting in: ``vostok`` also logs in by phone number (or any user by e-mail); ``newcomer``'s demo
# password is a temporary one, replaced at the first login. Set when the user is made.
DEMO_PHONES = {"vostok": "+7 423 240-10-10"}
TEMPORARY_PASSWORDS = {"newcomer"}

# staff group name (bilingual: customers of both languages see it on their requests) -> member logins
DISPATCH, BACK_OFFICE = "Dispatch / Диспетчерская", "Back office / Бэк-офис"
GROUPS = {DISPATCH: ["service"], BACK_OFFICE: ["backoffice", "manager"]}
# The English-only names earlier runs gave the groups: renamed, not duplicated.
FORMER_GROUP_NAMES = {"Dispatch": DISPATCH, "Back office": BACK_OFFICE}

# The group that answers customers' messages (/admin/messages/).
MESSAGES_GROUP = BACK_OFFICE

# code, names, group, default priority, due hours
REQUEST_TYPES = [
    ("general", {"en": "General question", "ru": "Общий вопрос"}, BACK_OFFICE, "normal", 72),
    ("documents", {"en": "Copies of documents", "ru": "Копии документов"}, BACK_OFFICE, "low", 120),
    ("connection", {"en": "New connection", "ru": "Новое подключение"}, DISPATCH, "high", 48),
]

# priority -> hours to resolve, counted in business hours?, may customers choose it?
SLA = {"low": (120, True, True), "normal": (72, True, True), "high": (24, False, True),
       "critical": (4, False, False)}


def _get_or_add(db, model, where, **values):
    row = db.scalars(select(model).filter_by(**where)).first()
    if row is None:
        row = model(**where, **values)
        db.add(row)
        db.flush()
    return row


def load_demo(db, passwords) -> None:
    parties = {}
    for external_id, name, tax_id, address, parent in PARTIES:
        party = _get_or_add(db, Party, {"external_id": external_id}, name=name, tax_id=tax_id, address=address)
        if parent:
            party.parent_id = parties[parent].id
        details = PARTY_DETAILS[external_id]
        # Filled once, on a party that has none of it yet: what a customer changed later stays.
        if all(getattr(party, name) is None for name in details):
            for name, value in details.items():
                setattr(party, name, value)
        parties[external_id] = party
    for party_ext, number, valid_from, valid_to in CONTRACTS:
        _get_or_add(db, Contract, {"party_id": parties[party_ext].id, "number": number},
                    valid_from=valid_from, valid_to=valid_to, external_id=f"{party_ext}/{number}")
    for login, last, first, middle, language, roles, member_of, manager_of in USERS:
        user = db.scalars(select(User).where(User.login == login)).first()
        if user is None:
            user = User(login=login, last_name=last, first_name=first, middle_name=middle, language=language,
                        email=f"{login}@demo.example", password_hash=passwords.hash(DEMO_PASSWORD),
                        phone=DEMO_PHONES.get(login), must_change_password=login in TEMPORARY_PASSWORDS)
            db.add(user)
            db.flush()
        for role in roles:
            _get_or_add(db, UserRole, {"user_id": user.id, "role": role.value})
        for ext in member_of:
            membership = _get_or_add(db, Membership, {"user_id": user.id, "party_id": parties[ext].id})
            membership.state = MembershipState.active.value
            membership.role = MEMBER_ROLES.get((login, ext), MembershipRole.all).value
        for ext in manager_of:
            _get_or_add(db, ManagerAssignment, {"user_id": user.id, "party_id": parties[ext].id})
    groups = {}
    for former, name in FORMER_GROUP_NAMES.items():
        old = db.scalars(select(StaffGroup).where(StaffGroup.name == former)).first()
        if old is not None and db.scalars(select(StaffGroup).where(StaffGroup.name == name)).first() is None:
            old.name = name
            db.flush()
    for name, logins in GROUPS.items():
        groups[name] = _get_or_add(db, StaffGroup, {"name": name})
        for login in logins:
            user = db.scalars(select(User).where(User.login == login)).one()
            _get_or_add(db, StaffGroupMember, {"group_id": groups[name].id, "user_id": user.id})
    # Customers' messages are answered by the back office (with each party's manager), unless an
    # administrator has chosen another group since.
    if not any(g.answers_messages for g in db.scalars(select(StaffGroup))):
        groups[MESSAGES_GROUP].answers_messages = True
        db.flush()
    for code, names, group, priority, hours in REQUEST_TYPES:
        _get_or_add(db, RequestType, {"code": code}, names=names, group_id=groups[group].id,
                    default_priority=priority, due_hours=hours)
    for priority, (hours, business, may_choose) in SLA.items():
        _get_or_add(db, SlaPolicy, {"priority": priority}, resolve_hours=hours, business_hours=business,
                    customer_may_choose=may_choose)


# party, author login, type code, subject, text, then transitions: (name, actor login, comment)
DEMO_REQUESTS = [
    ("DEMO-SEVER-ENERGO", "energo", "documents", "Акт сверки за 2025 год",
     "Пришлите, пожалуйста, акт сверки за 2025 год, подписанный с вашей стороны.", []),
    ("DEMO-SEVER-ENERGO", "energo", "connection", "Вторая точка подключения на складе",
     "Нам нужна вторая точка подключения на Тверской, 1, стр. 2, мощностью 40 кВт.",
     [("assign", "backoffice", ""), ("start", "service", ""),
      ("ask_customer", "service", "Приложите, пожалуйста, однолинейную схему.")]),
    ("DEMO-VOSTOK", "vostok", "general", "Change of the invoice e-mail",
     "Invoices should go to accounting@vostok.example from next month.",
     [("assign", "backoffice", ""), ("start", "backoffice", ""),
      ("resolve", "backoffice", "Done: the address is changed from the next invoice on.")]),
]


def load_demo_items(db) -> None:
    """Requests in several states, filed and moved through the workflow engine like real ones."""
    users = {u.login: u for u in db.scalars(select(User))}
    for party_ext, author, type_code, subject, body, moves in DEMO_REQUESTS:
        party = db.scalars(select(Party).where(Party.external_id == party_ext)).one()
        if db.scalars(select(CustomerRequest).where(CustomerRequest.party_id == party.id,
                                                    CustomerRequest.subject == subject)).first():
            continue
        rtype = db.scalars(select(RequestType).where(RequestType.code == type_code)).one()
        item = CustomerRequest(party_id=party.id, author_id=users[author].id, type_id=rtype.id, subject=subject,
                               body=body, priority=rtype.default_priority, group_id=rtype.group_id,
                               due_at=utcnow() + timedelta(hours=rtype.due_hours))
        REQUEST.start(item, TransitionContext(session=db, actor_id=users[author].id))
        for name, actor, comment in moves:
            data = {"assignee_id": users["service"].id} if name == "assign" else {}
            REQUEST.apply(item, name, TransitionContext(session=db, actor_id=users[actor].id, comment=comment,
                                                        data=data), permits=lambda permission: True)


DEMO_TICKETS = [
    ("DEMO-SEVER-TRANS", "trans", "Meter display is blank", "The meter at the depot gate shows nothing since Monday.",
     "high"),
    ("DEMO-YUG", "yug", "Seal broken on the water meter", "The seal on meter 7734 is broken; please re-seal it.",
     "normal"),
]

# A thread is started as the UI starts one: only by someone who may see the party (messages/services.py
# refuses anyone else); the manager manages Vostok and Yug only.
DEMO_THREADS = [
    ("DEMO-YUG", "manager", True, "Tariff change from January",
     "From 1 January the tariff for your supply points changes; the new price list is on its way."),
    ("DEMO-SEVER-ENERGO", "energo", False, "Счёт за ноябрь",
     "Почему сумма в счёте за ноябрь больше, чем в октябре? Потребление не менялось."),
    ("DEMO-VOSTOK", "vostok", False, "Contact for the port warehouse",
     "Who is our contact for deliveries to the port warehouse?"),
    # Unread for the holding's user in one of its parties only: the header's counter leads to /messages/.
    ("DEMO-SEVER-TRANS", "service", True, "Planned power cut at the depot",
     "On 15 December from 10:00 to 14:00 the Yaroslavl depot has no power: planned maintenance."),
]


def load_demo_work(db, settings) -> None:
    """Service tickets, a change request and message threads, made through the same services as the UI."""
    users = {u.login: u for u in db.scalars(select(User))}
    parties = {p.external_id: p for p in db.scalars(select(Party))}

    def service_for(login):
        return WorkflowService(db, actor_id=users[login].id, permits=lambda p, r: True, notify=None)

    calendar = BusinessCalendar.from_settings(settings)
    for party_ext, author, subject, body, priority in DEMO_TICKETS:
        party = parties[party_ext]
        if db.scalars(select(ServiceTicket).where(ServiceTicket.party_id == party.id,
                                                  ServiceTicket.subject == subject)).first() is None:
            file_ticket(service_for(author), db, party_id=party.id, author_id=users[author].id, subject=subject,
                        body=body, priority=priority, calendar=calendar)
    for party_ext, author, from_staff, subject, body in DEMO_THREADS:
        party = parties[party_ext]
        if db.scalars(select(MessageThread).where(MessageThread.party_id == party.id,
                                                  MessageThread.subject == subject)).first() is None:
            start_thread(service_for(author), party_id=party.id, author_id=users[author].id,
                         from_staff=from_staff, subject=subject, body=body)
    party = parties["DEMO-YUG"]
    if db.scalars(select(ChangeRequest).where(ChangeRequest.party_id == party.id)).first() is None:
        draft_change_request(service_for("yug"), party=party, author_id=users["yug"].id,
                             changes={"phone": "+7 861 200-00-00", "contact_person": "Olga Sidorenko"})


def load_vertical_demos(db, settings) -> None:
    """Each vertical switched on in ``portal.modules`` fills its own records: a ``demo`` module in
    its package with ``load_demo(db, settings)``, idempotent like the rest (run after the parties
    and users it refers to exist)."""
    for package in enabled_modules(settings):
        if importlib.util.find_spec(f"{package}.demo") is not None:
            importlib.import_module(f"{package}.demo").load_demo(db, settings)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Load the demo data (idempotent).")
    parser.add_argument("config_uri", help="the .ini file, e.g. development.ini")
    args = parser.parse_args(argv)
    settings = load_settings(args.config_uri)
    with db_session(settings) as db:
        load_demo(db, password_service_from_settings(settings))
        load_demo_registrations(db, password_service_from_settings(settings), DEMO_PASSWORD)
        load_demo_items(db)
        load_demo_work(db, settings)
        load_demo_documents(db, settings)
        load_vertical_demos(db, settings)
        load_demo_integration(db, settings)
    print(f"Demo data loaded. Every demo login has the password {DEMO_PASSWORD!r}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
