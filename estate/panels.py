"""The dashboard's panels, kept as HTML per viewer and per state of the rows they show (docs/ARCHITECTURE.md,
"Caching").

The dashboard is the page everyone opens first, and the sum of every app's panels: made afresh, a dozen queries and
20-30 ms of CPU. Each app's dashboard module has `panels(request)`, which gives (template, context) pairs, and
`VERSIONS`, the `estate.Version`s whose tables those panels read: the database changes a version's token in the
same transaction as every write to its tables (triggers of migrations 0006 and 0008), whoever writes and however.
An app's panels are kept as HTML in the process's "panels" cache under

- those tokens, read once per request (one query for all) before any row is read, so that what is kept under them
  is never older than they are;
- the viewer: their id and their roles in force (read with them on every request). Nothing kept for one person is
  shown to another; care's check-ins, which are sensitive, stay in the memory of the process;
- the language and today's date (what falls due, a plan open for comments, the last 30 days);
- until the clock alone changes what they show: a panel's context may name the moments at which it does
  (`changes_at`: a ticket or a key falling overdue, a hand-over's time to confirm running out); the earliest still
  to come ends the kept HTML, which is made again at the first request after it.
"""

import hashlib

from django.core.cache import caches
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from estate import cached


def app_panels(request, app, module):
    """(html, pairs): the HTML of `module`'s panels for this request, and the (template, context) pairs it was made
    from when it was made now (an empty list when it was kept)."""
    made = []

    def make():
        made.extend(module.panels(request))
        return _render(made), [moment for _, context in made for moment in context.get("changes_at", ())]

    return kept(request, f"dashboard.{app}", module.VERSIONS, make), made


def kept(request, name, versions, make):
    """The HTML `make()` returns as (html, moments) for this viewer, kept under the tokens of `versions` until the
    earliest of `moments` still to come. Call `tokens(request)` before reading any row the HTML is made from."""
    current = tokens(request)
    if current is None:
        # A flushed database has no versions: nothing can be kept.
        return make()[0]
    user = request.user
    roles = sorted((role.kind, role.building_id or 0, role.household_id or 0) for role in user.active_roles)
    state = (name, [current[version] for version in versions], user.pk, roles, get_language(), timezone.localdate())
    key = "panel:" + hashlib.sha256(repr(state).encode()).hexdigest()
    kept_html = caches["panels"]
    held = kept_html.get(key)
    if held is not None and (held[1] is None or timezone.now() < held[1]):
        return held[0]
    # Now, before the rows: a moment that passes while they are read ends the kept HTML at once.
    now = timezone.now()
    html, moments = make()
    kept_html.set(key, (html, min((moment for moment in moments if moment >= now), default=None)))
    return html


def tokens(request):
    """Every version's token, read once per request (estate.cached.state): {name: token}, or None in a flushed
    database."""
    return cached.state(request)


def _render(pairs):
    # The panels' templates use nothing of the request's context (no user, no form token): rendered on their own.
    return mark_safe("".join(get_template(template).render({"panel": context}) for template, context in pairs))
