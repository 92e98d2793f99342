"""The built wheel carries what the portal needs at run time (every package's templates, static
files, catalogs), and a page renders from it in a fresh virtualenv, away from the source tree."""
import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile

import pytest

from tests.conftest import HERE

pytestmark = pytest.mark.skipif(bool(os.environ.get("PORTAL_TEST_DB_URL")),
                                reason="packaging does not depend on the database: the SQLite run checks it")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    HERE], check=True, capture_output=True, text=True)
    (path,) = out.glob("portal-*.whl")
    return path


def test_the_wheel_holds_every_packages_templates_static_files_and_catalogs(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    source = os.path.join(HERE, "src")
    expected = set()
    for folder, _dirs, files in os.walk(os.path.join(source, "portal")):
        for name in files:
            if name.endswith((".pt", ".css", ".svg", ".mo", ".po")):
                expected.add(os.path.relpath(os.path.join(folder, name), source).replace(os.sep, "/"))
    assert expected, "no templates found in the source tree"
    assert expected - names == set()
    assert "portal/requests/templates/list.pt" in names


def test_a_page_renders_from_the_installed_wheel(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # The dependencies come from the test environment; the portal only from the wheel.
    with open(os.path.join(site, "zz_deps.pth"), "w") as f:
        f.write(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True, text=True)
    script = textwrap.dedent(f"""
        import portal, webtest
        assert portal.__file__.startswith({str(venv)!r}), portal.__file__
        app = portal.main({{}}, **{{"sqlalchemy.url": "sqlite:///{tmp_path}/p.sqlite",
                                   "portal.session.secret": "x" * 40, "portal.modules": ""}})
        page = webtest.TestApp(app).get("/login")
        assert 'name="login"' in page.text and "csrf_token" in page.text
        print("rendered", len(page.text))
    """)
    result = subprocess.run([python, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("rendered")
