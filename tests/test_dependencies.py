"""Dependencies between the domain apps run one way (docs/ARCHITECTURE.md, "Apps and how they depend on each other").

Repairs post expenses through the ledger, so repairs depend on the ledger; the ledger's monthly notice shows
finished repairs and key hand-overs by gathering every app's notice_section module, never by importing them.
"""

import ast
from pathlib import Path

from django.conf import settings

DOMAIN_APPS = ("ledger", "repairs", "keys")


def _imports(app):
    found = set()
    for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found.update(name.split(".")[0] for name in names if name.split(".")[0] in DOMAIN_APPS)
    return found - {app}


def test_the_ledger_imports_neither_repairs_nor_keys():
    assert _imports("ledger") == set()


def test_no_two_domain_apps_import_each_other():
    graph = {app: _imports(app) for app in DOMAIN_APPS}
    assert graph["repairs"] == {"ledger"}
    for app, targets in graph.items():
        for target in targets:
            assert app not in graph[target], f"{app} and {target} import each other"


def test_the_notice_gathers_the_other_apps_sections_in_order():
    from ledger.notice import notice_sections

    assert [section.KEY for section in notice_sections()] == ["repairs", "keys"]
