"""Figures computed once per state of the estate (docs/ARCHITECTURE.md, "Figures computed once").

`figure(request, name, compute, key=...)` returns what `compute()` returns, kept in the shared cache
(CACHES["figures"], a database table every worker reads) under a key that names the state it was computed from:

- the ledger's chain head (number and hash), which every posting moves and nothing else does;
- a version token that every other change of state replaces: every change writes an activity record in its own
  transaction (`accounts.activity.log_action`), and the record's `post_save` replaces the token there, in the
  same transaction, so the new token and the change are committed together or not at all;
- a digest of the code and templates, so a deploy never serves a figure computed by older code;
- the figure's own key (a year, a household, a language, today's date where the figure depends on it).

A figure is therefore never stale: a request that reads the old state's key computes from data at least as new
as that state (the key is read first), and once a change is committed every request reads the new key. The token
is not replaced after the commit (`transaction.on_commit`): between the commit and the replacement a request
would find the old state's figure under the old token and show it, and a process dying in between would leave it
there for good. A writer that rolls back leaves the token as it was.
"""

import functools
import hashlib
import secrets
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection

VERSION = "figures:version"
# Figures have a table of their own (CACHES["figures"]): in the table of the login-failure counters, figures of a large
# estate would make the cache cull its lowest keys, those counters among them. An hour: the entries of states gone by
# expire soon, and the cache deletes expired entries first when it holds more than its MAX_ENTRIES.
TIMEOUT = 3600
_MISSING = object()


def figure(request, name, compute, *, key=()):
    """`compute()`, or what it returned before in the same state. `request` (or None) keeps the state read once
    per request (a view that changes state redirects before anything reads a figure); `key` holds whatever else
    the figure depends on, each part with a stable repr."""
    state = _state(request)
    if state is None:
        return compute()
    digest = hashlib.sha256(repr((state, key)).encode()).hexdigest()
    cache_key = f"figure:{name}:{digest}"
    value = caches["figures"].get(cache_key, _MISSING)
    if value is _MISSING:
        value = compute()
        caches["figures"].set(cache_key, value, TIMEOUT)
    return value


def reach(user):
    """What `Household.objects.visible_to(user)` depends on, for the key of a figure read through it."""
    if user.is_committee:
        return ("committee",)
    return ("buildings", tuple(sorted(user.headed_building_ids)), tuple(sorted(user.household_ids)))


def _state(request):
    if request is not None and hasattr(request, "_figures_state"):
        return request._figures_state
    from ledger.models import ChainHead

    head = ChainHead.objects.values_list("seq", "hash").filter(pk=1).first()
    version = _version()
    state = None if version is None else (code_digest(), head, version)
    if request is not None:
        request._figures_state = state
    return state


def _version():
    version = caches["figures"].get(VERSION)
    if version is None:
        # Never set, or culled by the cache: a fresh token, under which nothing was computed yet.
        caches["figures"].add(VERSION, secrets.token_hex(16), timeout=None)
        version = caches["figures"].get(VERSION)
    # Still None when a writer holds SQLite's lock: this request computes its figures without the cache.
    return version


def state_changed(**kwargs):
    """Replace the version token, inside the transaction that makes the change."""
    token = secrets.token_hex(16)
    caches["figures"].set(VERSION, token, timeout=None)
    # A set that found no token row inserts one; if another writer inserted it first, the database refused ours
    # and the cache swallowed the error. That row is there now, so a second set replaces it.
    if caches["figures"].get(VERSION) != token:
        caches["figures"].set(VERSION, token, timeout=None)


def migrated(sender, **kwargs):
    """After migrate or flush (which empties every table but the cache's): figures of the old rows must go."""
    if sender.name == "estate" and settings.CACHES["figures"]["LOCATION"] in connection.introspection.table_names():
        state_changed()


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
    from django.db.models.signals import post_migrate, post_save

    post_save.connect(state_changed, sender="accounts.ActivityRecord", dispatch_uid="estate.cached.state_changed")
    post_migrate.connect(migrated, dispatch_uid="estate.cached.migrated")
