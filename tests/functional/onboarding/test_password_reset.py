"""Password reset through HTTP: the link mailed through an SMTP server, followed, used once; the same
answer for an address nobody has; expired, reused and forged links; the form's limits."""
from datetime import timedelta

from sqlalchemy import func, select, update

from portal.audit.models import AuditEntry
from portal.db.meta import utcnow
from portal.identity.models import AuthSession, LoginFailure, User
from portal.onboarding.models import AccountToken
from portal.outbox.models import OutboxMessage
from tests.conftest import PASSWORD, login
from tests.factories import customer

from .conftest import link_in

NEW = "Fresh-secret-2027"
SENT = "If a login of the portal has this e-mail address, a link to choose a new password is on its way"
INVALID = "This link no longer works"


def ask_for_link(testapp, email, status=200):
    page = testapp.get("/login").click("Forgot your password?")
    form = page.forms["forgot-password"]
    form["email"] = email
    return form.submit("submit", status=status)


def set_new_password(testapp, path, password=NEW, status=303):
    form = testapp.get(path).forms["reset-password"]
    form["new_password"] = password
    form["confirmation"] = password
    return form.submit("submit", status=status)


def audit_count(dbsession, action):
    return dbsession.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_the_mailed_link_sets_a_new_password_once(testapp, dbsession, deliver):
    user = customer(first_name="Olga", email="Olga@Reset.test")
    assert SENT in ask_for_link(testapp, " olga@reset.TEST ").text
    [mail] = deliver()
    assert mail.recipients == ("Olga@Reset.test",) and mail.subject == "Reset your password"
    assert mail.body.startswith("Hello, Olga.") and f"“{user.login}”" in mail.body and "60 minutes" in mail.body
    path = link_in(mail)
    assert path.startswith("/password/reset/")
    token = path.rsplit("/", 1)[1]
    assert token not in {t.token_hash for t in dbsession.scalars(select(AccountToken))}  # kept hashed
    page = testapp.get(path)
    assert user.login in page.text
    done = set_new_password(testapp, path).follow()
    assert "Your password has been set." in done.text and done.request.path == "/login"
    assert audit_count(dbsession, "password.reset") == 1 and audit_count(dbsession, "password.reset_request") == 1
    login(testapp, user.login, PASSWORD, status=400)
    login(testapp, user.login, NEW)
    testapp.reset()
    again = testapp.get(path, status=404)
    assert INVALID in again.text and "Ask for a new link" in again.text


def test_an_address_nobody_has_gets_the_same_answer_and_no_mail(testapp, dbsession, deliver):
    customer(email="known@reset.test")
    blocked = customer(email="blocked@reset.test", state="blocked")
    known = ask_for_link(testapp, "known@reset.test").html.select_one("main").get_text()
    testapp.reset()
    unknown = ask_for_link(testapp, "nobody@reset.test").html.select_one("main").get_text()
    testapp.reset()
    refused = ask_for_link(testapp, blocked.email).html.select_one("main").get_text()
    assert known == unknown == refused
    assert [m.recipients for m in deliver()] == [("known@reset.test",)]


def test_every_login_with_the_address_gets_its_own_link(testapp, dbsession, deliver):
    first, second = customer(email="shared@reset.test"), customer(email="shared@reset.test")
    ask_for_link(testapp, "shared@reset.test")
    mails = deliver()
    assert sorted(m.body.count(f"“{u.login}”") for u in (first, second) for m in mails) == [0, 0, 1, 1]
    paths = [link_in(m) for m in mails]
    set_new_password(testapp, paths[0])
    assert testapp.get(paths[1]).status_int == 200  # the other login's link still works


def test_a_newer_link_kills_the_older_one(testapp, deliver):
    customer(email="twice@reset.test")
    ask_for_link(testapp, "twice@reset.test")
    ask_for_link(testapp, "twice@reset.test")
    older, newer = (link_in(m) for m in deliver())
    assert INVALID in testapp.get(older, status=404).text
    set_new_password(testapp, newer)


def test_an_expired_link_is_refused_and_changes_nothing(testapp, dbsession, deliver):
    user = customer(email="late@reset.test")
    ask_for_link(testapp, "late@reset.test")
    [mail] = deliver()
    path = link_in(mail)
    dbsession.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert INVALID in testapp.get(path, status=404).text
    hash_before = dbsession.get(User, user.id).password_hash
    form_page = testapp.get("/login")  # a session and its token, to post the form as a browser would
    token = form_page.forms["login"]["csrf_token"].value
    response = testapp.post(path, {"csrf_token": token, "new_password": NEW, "confirmation": NEW}, status=404)
    assert INVALID in response.text
    dbsession.expire_all()
    assert dbsession.get(User, user.id).password_hash == hash_before


def test_forged_links_get_the_same_page(testapp, deliver):
    customer(email="forged@reset.test")
    ask_for_link(testapp, "forged@reset.test")
    [mail] = deliver()
    real = link_in(mail)
    for path in (real[:-2] + ("xy" if not real.endswith("xy") else "zz"), "/password/reset/" + "a" * 300,
                 "/password/reset/%00", "/invite/" + real.rsplit("/", 1)[1]):
        assert INVALID in testapp.get(path, status=404).text, path
    assert testapp.get("/password/reset/", status=404)
    assert testapp.get(real).status_int == 200  # none of that used it up


def test_a_weak_password_is_refused_and_the_link_still_works(testapp, dbsession, deliver):
    customer(email="weak@reset.test")
    ask_for_link(testapp, "weak@reset.test")
    path = link_in(deliver()[0])
    page = set_new_password(testapp, path, "short", status=400)
    assert "at least 10 characters" in page.text
    mismatch = testapp.get(path).forms["reset-password"]
    mismatch["new_password"], mismatch["confirmation"] = NEW, NEW + "x"
    assert "The passwords do not match." in mismatch.submit("submit", status=400).text
    set_new_password(testapp, path)


def test_the_reset_unlocks_the_login_and_ends_its_sessions(testapp, app, dbsession, deliver):
    import webtest

    user = customer(email="locked@reset.test")
    elsewhere = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(elsewhere, user.login)
    for _ in range(5):
        login(testapp, user.login, "Wrong-password-1", status="*")
    assert dbsession.get(User, user.id).locked_until is not None
    testapp.reset()
    ask_for_link(testapp, "locked@reset.test")
    set_new_password(testapp, link_in(deliver()[0]))
    dbsession.expire_all()
    assert dbsession.get(User, user.id).locked_until is None
    assert dbsession.scalar(select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user.id)) == 0
    assert elsewhere.get("/account/", status=303).location.startswith("http://localhost/login")
    login(testapp, user.login, NEW)


def test_bad_addresses_are_refused_and_write_nothing(testapp, dbsession):
    for bad in ("", "not-an-address", "a@", "x" * 300 + "@example.test"):
        page = ask_for_link(testapp, bad, status=400)
        assert SENT not in page.text, bad
    assert "Enter an e-mail address such as name@example.com." in ask_for_link(testapp, "nope", status=400).text
    dbsession.flush()
    assert dbsession.scalar(select(func.count()).select_from(LoginFailure)) == 0
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_one_address_gets_five_links_a_quarter_hour_then_is_refused(testapp, dbsession, deliver):
    customer(email="flood@reset.test")
    for _ in range(5):
        assert SENT in ask_for_link(testapp, "flood@reset.test").text
    refused = ask_for_link(testapp, "FLOOD@reset.test", status=429)
    assert "Too many password-reset requests: please try again in 15 min." in refused.text
    assert refused.headers["Retry-After"] == "900"
    assert len(deliver()) == 5
    assert SENT in ask_for_link(testapp, "other@reset.test").text  # another address is counted apart


def test_one_client_address_is_throttled_across_addresses(testapp, dbsession, deliver):
    for n in range(20):
        ask_for_link(testapp, f"probe{n}@reset.test")
    refused = ask_for_link(testapp, "probe-last@reset.test", status=429)
    assert "Too many password-reset requests" in refused.text
    other = testapp.get("/password/forgot", extra_environ={"REMOTE_ADDR": "192.0.2.99"})
    other.forms["forgot-password"]["email"] = "probe-last@reset.test"
    assert SENT in other.forms["forgot-password"].submit("submit", extra_environ={"REMOTE_ADDR": "192.0.2.99"}).text
