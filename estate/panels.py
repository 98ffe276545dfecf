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
import uuid

from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from estate import cached


def app_panels(request, app, module):
    """(html, pairs, until): the HTML of `module`'s panels for this request, the (template, context) pairs it was
    made from when it was made now (an empty list when it was kept), and the moment the clock alone changes it
    (None if never)."""
    made = []

    def make():
        made.extend(module.panels(request))
        return _render(made), [moment for _, context in made for moment in context.get("changes_at", ())]

    html, until = _kept(request, f"dashboard.{app}", module.VERSIONS, make)
    return html, made, until


def kept(request, name, versions, make):
    """The HTML `make()` returns as (html, moments) for this viewer, kept under the tokens of `versions` until the
    earliest of `moments` still to come. Call `tokens(request)` before reading any row the HTML is made from."""
    return _kept(request, name, versions, make)[0]


def kept_form(request, name, versions, make):
    """Like `kept()`, for HTML with a form: `make(form_token)` renders with the stand-in for the form token, which
    differs per session; each request gets the HTML with its own."""
    html = kept(request, name, versions, lambda: make(FORM_TOKEN))
    return mark_safe(html.replace(FORM_TOKEN, get_token(request)))


def kept_page(request, name, versions, make):
    """The whole page `make(form_token)` renders, as (html, moments), kept like `kept()` and answered as an
    HttpResponse: for a page people open far more often than what it shows changes, Django's templates (the
    layout, the menu, the footer) cost more than the rest of the request.

    The page is also kept per address (its query string), the viewer's name and unread count (in the layout) and,
    through `kept()`, the viewer's roles (the menu). `make` renders with `form_token` for the form token, which
    differs per session and is put in at each request; so is a fresh key where a form that writes money has
    `FORM_KEY` for its key (sent twice, such a form acts once, so two showings need two keys). A page with
    messages waiting to be shown is made afresh and not kept: they are shown once.
    """
    if len(get_messages(request)):
        html = make(get_token(request))[0]
    else:
        user = request.user
        viewer = (request.get_full_path(), str(user), getattr(user, "inbox_unread", None))
        html = kept_form(request, f"page.{name}.{viewer!r}", versions, make)
    # A form that writes money renders FORM_KEY for its key (ledger.forms.KeyedForm): each showing gets its own.
    return HttpResponse(html.replace(FORM_KEY, uuid.uuid4().hex))


def _kept(request, name, versions, make):
    current = tokens(request)
    if current is None:
        # A flushed database has no versions: nothing can be kept.
        return make()[0], None
    user = request.user
    roles = sorted((role.kind, role.building_id or 0, role.household_id or 0) for role in user.active_roles)
    state = (name, [current[version] for version in versions], user.pk, roles, get_language(), timezone.localdate())
    key = "panel:" + hashlib.sha256(repr(state).encode()).hexdigest()
    kept_html = caches["panels"]
    held = kept_html.get(key)
    if held is not None and (held[1] is None or timezone.now() < held[1]):
        return held
    # Now, before the rows: a moment that passes while they are read ends the kept HTML at once.
    now = timezone.now()
    html, moments = make()
    held = (html, min((moment for moment in moments if moment is not None and moment >= now), default=None))
    if not carries_nonce(request, html):
        kept_html.set(key, held)
    return held


def carries_nonce(request, html):
    """Whether `html` carries this request's CSP nonce (made only when something asks for it). Such HTML is never
    kept: served to the next request, its scripts would carry a nonce that request's header does not allow, and
    the nonce would no longer be a secret of one response."""
    nonce = get_nonce(request)
    return bool(nonce) and str(nonce) in html


def tokens(request):
    """Every version's token, read once per request (estate.cached.state): {name: token}, or None in a flushed
    database."""
    return cached.state(request)


# Stands for the form token in kept HTML; letters and digits only, so escaping leaves it as it is.
FORM_TOKEN = "formtoken0kept0here0replaced0at0each0request"
# Stands for a KeyedForm's idempotency key in a kept page, the same way.
FORM_KEY = "formkey0kept0here0replaced0at0each0request"


def _render(pairs):
    # The panels' templates use nothing of the request's context (no user, no form token): rendered on their own.
    return mark_safe("".join(get_template(template).render({"panel": context}) for template, context in pairs))
