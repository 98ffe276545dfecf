"""The register's lists kept whole, per state of the register (docs/ARCHITECTURE.md, "Caching").

Fifty-six households with their residents and phones cost 20–30 ms of CPU to lay out, on a page the committee
opens often and that changes seldom. The database changes the register's token (`estate.Version`) in the same
transaction as every write to buildings, households and residents (triggers of migration 0006), whoever
writes, so a list kept under the token it was made under cannot be shown after a change. The token is read
before the rows: what is kept under a token is never older than the token. Lists are kept in each process's
"fragments" cache, per viewer (phones are whole for the committee and for the person), language, day (the
printed date) and address (filters, sort, page).

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
    return f"SELECT {column['token']} FROM {quote(Version._meta.db_table)} WHERE {column['name']} = %s"


def register_token():
    """The register's current token; None when the row is missing (a flushed database): nothing is kept."""
    alias = router.db_for_read(Version)
    with connections[alias].cursor() as cursor:
        cursor.execute(_statement(alias), [Version.REGISTER])
        row = cursor.fetchone()
    return row[0] if row else None


def kept(request, name, make):
    """The HTML `make()` returns for this request, made once per state of the register."""
    token = register_token()
    if token is None:
        return make()
    user = request.user
    viewer = "committee" if user.is_committee else f"user{user.pk}"
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    key = f"register:{name}:{token}:{viewer}:{get_language()}:{timezone.localdate():%Y%m%d}:{address}"
    fragments = caches["fragments"]
    html = fragments.get(key)
    if html is None:
        html = make()
        fragments.set(key, html)
    return html
