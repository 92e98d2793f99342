"""Wait until the portal answers /login with 200, log in as a demo user, expect a page of theirs.

Usage: login-check.py BASE_URL LOGIN PASSWORD TEXT_ON_LANDING_PAGE TIMEOUT_SECONDS [SERVER_PID]
Standard library only: it runs before any virtualenv exists.
"""
import http.cookiejar
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main(base, login, password, expected, timeout, pid=None):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    deadline = time.monotonic() + float(timeout)
    page = None
    while time.monotonic() < deadline:
        try:
            with opener.open(base + "/login", timeout=5) as response:
                if response.status == 200:
                    page = response.read().decode()
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if pid is not None and not alive(int(pid)):
            print("the server's process ended before /login answered", file=sys.stderr)
            return 1
        time.sleep(2)
    if page is None:
        print(f"/login did not answer 200 within {timeout} s", file=sys.stderr)
        return 1
    print("/login answers 200")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if token is None:
        print("the login page has no CSRF token", file=sys.stderr)
        return 1
    form = urllib.parse.urlencode({"csrf_token": token.group(1), "login": login, "password": password,
                                   "submit": "submit"}).encode()
    with opener.open(base + "/login", data=form, timeout=30) as response:
        landing = response.read().decode()
        final = response.geturl()
    if expected not in landing or "logout" not in landing:
        print(f"logging in as {login} did not lead to a page with {expected!r} (ended at {final})",
              file=sys.stderr)
        return 1
    print(f"logged in as {login}: {final} shows {expected!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:7]))
