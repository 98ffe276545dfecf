"""Lists kept whole, per state of the rows they are made from (docs/ARCHITECTURE.md, "Caching").

Fifty-six households with their residents and phones cost 20–30 ms of CPU to lay out, on a page the committee
opens often and that changes seldom; so do the logins and the activity log. The database changes a version's
token (`estate.Version`) in the same transaction as every write to the tables it watches (triggers of migration
0006): the register's on buildings, households and residents, the people's on logins, roles, authenticators and
the activity log. Whoever writes, and however, a list kept under the tokens it was made under cannot be shown
after a change. The tokens are read before the rows: what is kept under them is never older than they are.
Lists are kept in each process's "lists" cache (200 at most), per viewer (phones are whole for the committee and
for the person), language, day (the printed date) and address (filters, sort, page).

Not `estate/cached.py`, which keeps ledger figures under the chain head: the two may become one module.
"""

import hashlib
from functools import cache

from django.core.cache import caches
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import get_language

from estate.models import Version


@cache
def _statement(alias):
    quote = connections[alias].ops.quote_name
    column = {field.name: quote(field.column) for field in Version._meta.concrete_fields}
    return f"SELECT {column['name']}, {column['token']} FROM {quote(Version._meta.db_table)}"


def tokens(*names):
    """The versions' current tokens, in the order named; None when one is missing (a flushed database)."""
    alias = router.db_for_read(Version)
    with connections[alias].cursor() as cursor:
        cursor.execute(_statement(alias))
        current = dict(cursor.fetchall())
    if any(name not in current for name in names):
        return None
    return ":".join(current[name] for name in names)


def kept(request, name, make, versions=(Version.REGISTER,)):
    """The HTML `make()` returns for this request, made once per state of the rows `versions` watch."""
    token = tokens(*versions)
    if token is None:
        return make()
    user = request.user
    viewer = "committee" if user.is_committee else f"user{user.pk}"
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    key = f"register:{name}:{token}:{viewer}:{get_language()}:{timezone.localdate():%Y%m%d}:{address}"
    lists = caches["lists"]
    html = lists.get(key)
    if html is None:
        html = make()
        lists.set(key, html)
    return html
