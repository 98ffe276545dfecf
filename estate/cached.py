"""What pages show, made once per state of the rows it comes from (docs/ARCHITECTURE.md, "Caching", "Figures computed
once").

The state is named by tokens the database itself changes (`estate.models.Version`, triggers of migrations 0006,
0008 and 0009): in the same transaction as every write to the tables a version watches, whoever writes and however
(the ORM, in bulk, by hand), a trigger replaces its token, so the new token commits with the change or not at all:

- `register`: buildings, households and residents;
- `people`: logins, roles, two-step authenticators, invitation slips and the activity log;
- `state`: the activity log alone. Every change the app makes writes an activity record in its own transaction
  (`accounts.activity.log_action`), so this token moves with every change of state the app makes, and not with a
  login (which writes `last_login`, shown by the list of logins);
- one for each app's tables that the dashboard's panels or a kept page show (`notices`, `ledger`, `repairs`, `keys`, …,
  `chasing`;
  estate/panels.py keeps the panels under them);
- and the ledger's chain head (number and hash), which every posting moves.

Three things are kept under them, by the same rule: the state is read first, then the rows, so what is kept under a
state is never older than that state, and once a change is committed every request reads the new state.

- **Figures** (`figure`): values computed from the estate (a dashboard's money, the arrears rows, the public
  accounts), in the shared cache `CACHES["figures"]` (a database table every worker reads), under the chain head,
  the `register` and `state` tokens and a digest of the code, templates and translations (a deploy never serves a
  figure of older code).
- **Lists** (`kept`): the HTML of a long list, in each process's `lists` cache, under the tokens of the versions it
  is made from, per viewer, language, day and address.
- **Panels** (estate/panels.py): the dashboard's, each app's as HTML in each process's `panels` cache, per viewer.

With a token missing (a flushed database before `post_migrate` has put them back) nothing is kept.
"""

import functools
import hashlib
import secrets
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import get_language

from estate.models import Version

# Entries of states gone by expire within the hour; a cache past its MAX_ENTRIES deletes expired entries first.
TIMEOUT = 3600
_MISSING = object()


def figure(request, name, compute, *, key=(), versions=()):
    """`compute()`, or what it returned before in the same state. `request` (or None) keeps the state read once
    per request (a view that changes state redirects before anything reads a figure); `key` holds whatever else
    the figure depends on, each part with a stable repr; `versions` names the versions of any tables it reads
    beyond the books and the register (the arrears rows' chasing record)."""
    current = state(request)
    if current is None:
        return compute()
    digest = hashlib.sha256(repr((code_digest(), current["head"], current[Version.REGISTER], current[Version.STATE],
                                  [current[version] for version in versions], key)).encode()).hexdigest()
    cache_key = f"figure:{name}:{digest}"
    value = caches["figures"].get(cache_key, _MISSING)
    if value is _MISSING:
        value = compute()
        caches["figures"].set(cache_key, value, TIMEOUT)
    return value


def kept(request, name, make, versions=(Version.REGISTER,)):
    """The HTML `make()` returns for this request, made once per state of the rows `versions` watch."""
    current = state(request)
    if current is None:
        return make()
    user = request.user
    viewer = "committee" if user.is_committee else f"user{user.pk}"
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    token = ":".join(current[version] for version in versions)
    key = f"list:{name}:{token}:{viewer}:{get_language()}:{timezone.localdate():%Y%m%d}:{address}"
    lists = caches["lists"]
    html = lists.get(key)
    if html is None:
        html = make()
        lists.set(key, html)
    return html


def reach(user):
    """What `Household.objects.visible_to(user)` depends on, for the key of a figure read through it."""
    if user.is_committee:
        return ("committee",)
    return ("buildings", tuple(sorted(user.headed_building_ids)), tuple(sorted(user.household_ids)))


def state(request):
    """{version name: token, "head": (seq, hash) or None}, read once per request (`request` None: read now) before
    any row; None with a version missing (a flushed database)."""
    if request is not None and hasattr(request, "_kept_state"):
        return request._kept_state
    alias = router.db_for_read(Version)
    with connections[alias].cursor() as cursor:
        cursor.execute(_statement(alias))
        rows = cursor.fetchall()
    current = {name: token for name, token, _seq, _hash in rows}
    if all(name in current for name in Version.NAMES):
        current["head"] = (rows[0][2], rows[0][3]) if rows[0][2] is not None else None
    else:
        current = None
    if request is not None:
        request._kept_state = current
    return current


@functools.cache
def _statement(alias):
    """One statement for the tokens and the chain head, written once per process (a queryset costs more to build
    than the database takes to answer)."""
    from ledger.models import ChainHead

    quote = connections[alias].ops.quote_name
    version = {field.name: quote(field.column) for field in Version._meta.concrete_fields}
    head = {field.name: quote(field.column) for field in ChainHead._meta.concrete_fields}
    return (f"SELECT v.{version['name']}, v.{version['token']}, h.{head['seq']}, h.{head['hash']} "
            f"FROM {quote(Version._meta.db_table)} v LEFT JOIN {quote(ChainHead._meta.db_table)} h "
            f"ON h.{head['id']} = 1")


def migrated(sender, using, **kwargs):
    """After migrate or flush (which empties every table but the caches'): fresh tokens, so that nothing kept
    for the rows before is found for the rows after; the versions' rows again where flush removed them."""
    if sender.name != "estate" or Version._meta.db_table not in connections[using].introspection.table_names():
        return
    for name in Version.NAMES:
        Version.objects.using(using).update_or_create(name=name, defaults={"token": secrets.token_hex(16)})


@functools.cache
def code_digest():
    """SHA-256 of the project's code, templates and translations, read once per process."""
    root = settings.BASE_DIR
    folders = [root / "templates", root / "locale"] + [
        Path(config.path) for config in apps.get_app_configs() if Path(config.path).parent == root]
    digest = hashlib.sha256()
    for path in sorted(file for folder in folders for file in folder.rglob("*")
                       if file.suffix in (".py", ".html", ".txt", ".mo") and file.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def connect():
    from django.db.models.signals import post_migrate

    post_migrate.connect(migrated, dispatch_uid="estate.cached.migrated")
