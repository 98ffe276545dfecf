"""scripts/screenshots.py walks the demo logins: its list stays the one estate/demo.py creates."""

import importlib.util
from pathlib import Path

from estate.demo import DEMO_PASSWORD, DEMO_USERS

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "screenshots.py"


def _script():
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_walk_logs_in_as_every_demo_user_with_the_demo_password():
    script = _script()
    assert script.DEMO_LOGINS == tuple(username for username, *_ in DEMO_USERS)
    assert f'default="{DEMO_PASSWORD}"' in SCRIPT.read_text()


def test_it_names_each_page_after_its_path():
    script = _script()
    assert [script.file_name(path) for path in ("/", "/ledger/accounts/", "/users/activity/?page=2")] == [
        "home", "ledger-accounts", "users-activity-page-2"]
