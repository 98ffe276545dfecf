"""Dependencies between the domain apps run one way (docs/ARCHITECTURE.md, "Apps and how they depend on each other").

Every app of the project but the foundation (`estate` and `accounts`, which know each other) is a domain app. No
two of them may import each other, in either direction, wherever the import stands: at the top of a module, inside
a function or a class, or as `import_module("app.module")` with the name written out. When a lower app must show
what an upper app owns, the upper app contributes it (dashboard panels, notice sections, arrears columns,
scheduled jobs) and the lower one gathers contributions by module name.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

FOUNDATION = {"estate", "accounts"}


def _project_apps(root):
    # The project's own apps are folders at its top (the virtualenv's libraries may live below it too).
    return sorted(config.name for config in apps.get_app_configs() if Path(config.path).parent == Path(root))


def _imported_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def imports_between(root, names):
    """{app: {other app it imports: [the files that do]}} for the apps `names` under `root`, migrations aside."""
    graph = {}
    for app in names:
        found = graph.setdefault(app, {})
        for path in sorted((Path(root) / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for name in _imported_names(ast.parse(path.read_text(), filename=str(path))):
                target = name.split(".")[0]
                if target in names and target != app:
                    found.setdefault(target, []).append(str(path.relative_to(root)))
    return graph


def mutual_imports(graph):
    return [
        f"{a} ({', '.join(sorted(set(graph[a][b])))}) and {b} ({', '.join(sorted(set(graph[b][a])))})"
        for a in graph
        for b in graph[a]
        if a < b and a in graph.get(b, {})
    ]


def test_no_two_domain_apps_import_each_other():
    root = Path(settings.BASE_DIR)
    domain = [name for name in _project_apps(root) if name not in FOUNDATION]
    assert {"ledger", "repairs", "keys", "messaging", "chasing", "care", "bank"} <= set(domain)
    assert mutual_imports(imports_between(root, domain)) == []


def test_the_ledger_imports_neither_repairs_nor_keys_nor_messaging():
    root = Path(settings.BASE_DIR)
    graph = imports_between(root, _project_apps(root))
    assert not {"repairs", "keys", "messaging"} & set(graph["ledger"])


def test_messaging_imports_no_domain_app():
    """Messaging delivers what other apps say; it is the lowest domain layer and knows none of them."""
    root = Path(settings.BASE_DIR)
    domain = [name for name in _project_apps(root) if name not in FOUNDATION]
    assert imports_between(root, domain)["messaging"] == {}


def loops(graph):
    """Every loop of imports between apps, each once, as ["a", "b", ..., "a"] starting from its smallest name."""
    found = []

    def walk(path):
        for target in sorted(graph.get(path[-1], {})):
            if target == path[0]:
                found.append([*path, target])
            elif target > path[0] and target not in path:
                walk([*path, target])

    for start in sorted(graph):
        walk([start])
    return found


def test_dependencies_run_one_way_with_no_loop_of_any_length():
    root = Path(settings.BASE_DIR)
    domain = [name for name in _project_apps(root) if name not in FOUNDATION]
    assert loops(imports_between(root, domain)) == []


def test_a_loop_through_three_apps_is_found():
    graph = {"ledger": {"decisions": []}, "decisions": {"messaging": []}, "messaging": {"ledger": []},
             "keys": {"messaging": []}}
    assert loops(graph) == [["decisions", "messaging", "ledger", "decisions"]]


def test_an_import_is_found_wherever_it_stands(tmp_path):
    (tmp_path / "low").mkdir()
    (tmp_path / "high").mkdir()
    (tmp_path / "high" / "views.py").write_text("from low.models import Thing\n")
    (tmp_path / "low" / "jobs.py").write_text(
        "class Job:\n    def run(self):\n        if True:\n            from high import views\n"
    )
    (tmp_path / "low" / "panels.py").write_text(
        "from importlib import import_module\n\ndef load():\n    return import_module('high.panels')\n"
    )
    graph = imports_between(tmp_path, ["low", "high"])
    assert graph == {"low": {"high": ["low/jobs.py", "low/panels.py"]}, "high": {"low": ["high/views.py"]}}
    assert mutual_imports(graph) == ["high (high/views.py) and low (low/jobs.py, low/panels.py)"]


def test_the_notice_gathers_the_other_apps_sections_in_order():
    from ledger.notice import notice_sections

    assert [section.KEY for section in notice_sections()] == ["reconciliation", "repairs", "keys"]


def test_the_arrears_page_gathers_the_chasing_record():
    from ledger.views_committee import arrears_columns

    assert [column.__name__ for column in arrears_columns()] == ["chasing.arrears_column"]
