"""The activity log in people's words: objects named as people know them, values through the forms' labels.

A record stores the verb, the target's type and id, and plain JSON details
(codes, ids, ISO times) as the service wrote them. This module turns a page of
records into what a committee member reads: a payment as its receipt number
and unit, a repair as its number and what is broken, a choice as its label,
a person as their name, a time in the estate's time zone. It reads the objects
a page names in one query per kind of object, however many records the page
shows. Objects since deleted (a discarded draft) keep the name recorded with them.
"""

import re
from collections import defaultdict
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.activity import _DETAIL_LABELS, _REASONS

# --- Targets -------------------------------------------------------------------------------

def _payment(payment):
    return _("receipt %(receipt)s, %(unit)s") % {"receipt": payment.receipt.code, "unit": payment.household.code}


def _expense(expense):
    return _("%(category)s: %(payee)s, %(amount)s yuan") % {
        "category": expense.category.name, "payee": expense.payee, "amount": expense.amount}


def _transaction(txn):
    return _("posting no. %(seq)s: %(memo)s") % {"seq": txn.seq, "memo": txn.memo}


def _ticket(ticket):
    where = ticket.household.code if ticket.household_id else (ticket.building.name if ticket.building_id else "")
    values = {"number": ticket.pk, "what": ticket.get_category_display(), "where": where}
    if where:
        return _("repair no. %(number)s, %(what)s (%(where)s)") % values
    return _("repair no. %(number)s, %(what)s") % values


def _handover(handover):
    return f"{handover.deposit.tag} {handover.get_purpose_display()} {_local(handover.created_at)}"


def _consent(consent):
    return f"{consent.deposit.tag} {_local(consent.recorded_at)}"


def _month(closed):
    return f"{closed.month:%Y-%m}"


# model label -> (select_related, name of an instance)
TARGETS = {
    "ledger.payment": (("receipt", "household"), _payment),
    "ledger.expense": (("category",), _expense),
    "ledger.transaction": ((), _transaction),
    "ledger.closedmonth": ((), _month),
    "ledger.monthlynotice": ((), _month),
    "repairs.ticket": (("household", "building"), _ticket),
    "keys.keyhandover": (("deposit",), _handover),
    "keys.keyconsent": (("deposit",), _consent),
    "keys.inventorycheck": ((), lambda check: _local(check.at)),
}


def _targets(records):
    wanted = defaultdict(set)
    for record in records:
        if record.target_type_id and record.target_id:
            label = f"{record.target_type.app_label}.{record.target_type.model}"
            if label in TARGETS:
                wanted[label].add(record.target_id)
    names = {}
    for label, ids in wanted.items():
        related, name = TARGETS[label]
        model = apps.get_model(label)
        pks = [int(pk) for pk in ids if pk.isdigit()]
        objects = model._default_manager.filter(pk__in=pks)
        for obj in objects.select_related(*related) if related else objects:
            names[(label, str(obj.pk))] = name(obj)
    return names


# --- Values --------------------------------------------------------------------------------

def _local(value):
    """An aware datetime or ISO text as the estate's local time, to the minute."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _yes_no(value):
    if value in (True, "True", "true"):
        return _("yes")
    if value in (False, "False", "false"):
        return _("no")
    return value


def _money(value):
    try:
        return _("%(amount)s yuan") % {"amount": formats.number_format(Decimal(str(value)), 2)}
    except (InvalidOperation, ValueError):
        return value


def _choices(model_label, field):
    def label(value):
        choices = dict(apps.get_model(model_label)._meta.get_field(field).flatchoices)
        return choices.get(value, value)
    return label


def _method(value):
    from ledger.models import Method

    return Method(value).label if value in Method.values else value


def _authenticator(value):
    from allauth.mfa.models import Authenticator

    return Authenticator.Type(value).label if value in Authenticator.Type.values else value


def _purposes(value):
    from keys.models import Purpose

    if isinstance(value, str):
        value = [value]
    return "、".join(str(Purpose(v).label) if v in Purpose.values else str(v) for v in value)


def _file_type(value):
    return _("photo") if str(value).startswith("image/") else ("PDF" if value == "application/pdf" else value)


def _consent_terms(value):
    """A consent snapshot {services, weekdays, period, withdrawn} in one line."""
    if not isinstance(value, dict):
        return value
    if value.get("withdrawn"):
        return _("withdrawn")
    parts = [_purposes(value.get("services") or [])]
    start, end = (value.get("period") or ["", ""])[:2]
    if start or end:
        parts.append(f"{start or '…'} – {end or '…'}")
    return "；".join(part for part in parts if part) or "—"


def _key_counts(value):
    if not isinstance(value, list) or len(value) != 3:
        return value
    door, mailbox, bike = value
    return _("%(door)s door, %(mailbox)s mailbox, %(bike)s bike shed") % {"door": door, "mailbox": mailbox,
                                                                          "bike": bike}


def _seq(value):
    return _("no. %(seq)s") % {"seq": value}


def _short_hash(value):
    return f"{str(value)[:12]}…"


# (verb prefix, key) -> (label or None for the key's usual label, how the value reads, or a reference kind).
# Reference kinds ("user", "household", "deposit", "account", "attachment") are looked up for the whole page.
# The most specific prefix wins; ("", key) applies to every verb.
DETAILS = {
    ("", "amount"): (None, _money),
    ("", "total"): (None, _money),
    ("", "method"): (None, _method),
    ("", "valid_until"): (None, _local),
    ("", "transaction"): (gettext_lazy("posting"), _seq),
    ("", "reversal"): (None, _seq),
    ("", "bootstrap"): (gettext_lazy("first chair"), _yes_no),
    ("", "role"): (None, _choices("accounts.Role", "kind")),
    ("user.mfa", "kind"): (None, _authenticator),
    ("invitation.", "invitation"): (None, None),
    ("ledger.", "category"): (None, "account"),
    ("ledger.income", "kind"): (gettext_lazy("kind of income"), "account"),
    ("ledger.month.closed", "head_seq"): (gettext_lazy("sealed up to posting"), _seq),
    ("ledger.month.closed", "head_hash"): (gettext_lazy("check code"), _short_hash),
    ("ledger.notice.posted", "sha256"): (gettext_lazy("check code of the PDF"), _short_hash),
    ("ledger.attachment", "attachment"): (None, None),
    ("ledger.attachment", "type"): (gettext_lazy("file"), _file_type),
    ("ledger.adjustment", "percent_off"): (gettext_lazy("reduction (%)"), None),
    ("ledger.fee_rate", "rate"): (gettext_lazy("yuan per m² per month"), None),
    ("ledger.fund", "target"): (gettext_lazy("target"), _money),
    ("ledger.fund", "name"): (gettext_lazy("project"), None),
    ("repairs.ticket", "category"): (gettext_lazy("what is broken"), _choices("repairs.Ticket", "category")),
    ("repairs.ticket", "place"): (None, _choices("repairs.Ticket", "place")),
    ("repairs.ticket", "urgency"): (None, _choices("repairs.Ticket", "urgency")),
    ("repairs.quote", "quote"): (None, None),
    ("repairs.ticket", "rating"): (gettext_lazy("rating (1–5)"), None),
    ("keys.", "household"): (None, "household"),
    ("keys.", "user"): (gettext_lazy("key keeper"), "user"),
    ("keys.", "witness"): (gettext_lazy("witness"), "user"),
    ("keys.", "resident"): (gettext_lazy("given to"), "resident"),
    ("keys.", "deposit"): (gettext_lazy("key"), "deposit"),
    ("keys.", "purpose"): (gettext_lazy("purpose"), _purposes),
    ("keys.", "within_consent"): (gettext_lazy("within the household's consent"), _yes_no),
    ("keys.", "emergency_reason"): (gettext_lazy("emergency"), None),
    ("keys.", "photo"): (gettext_lazy("photo taken"), _yes_no),
    ("keys.", "note"): (gettext_lazy("note"), None),
    ("keys.", "on_paper"): (gettext_lazy("confirmed on paper"), _yes_no),
    ("keys.", "hook"): (gettext_lazy("hook"), None),
    ("keys.", "keys"): (gettext_lazy("keys"), _key_counts),
    ("keys.", "consent"): (gettext_lazy("consent"), _consent_terms),
    ("keys.consent", "services"): (gettext_lazy("consent"), _purposes),
    ("keys.consent", "weekdays"): (None, None),
    ("keys.consent", "period"): (None, None),
    ("keys.consent", "withdrawn"): (None, None),
    ("keys.", "circumstances"): (gettext_lazy("what happened"), None),
    ("keys.inventory", "tags"): (gettext_lazy("keys checked"), None),
    ("keys.inventory", "differences"): (gettext_lazy("differences"), None),
    ("household.", "occupancy"): (None, _choices("estate.Household", "occupancy")),
    ("resident.", "relation"): (None, _choices("estate.Resident", "relation")),
    ("roster.", "file"): (gettext_lazy("file"), None),
    ("roster.", "new"): (gettext_lazy("new households"), None),
    ("roster.", "changed"): (gettext_lazy("changed households"), None),
    ("roster.", "unchanged"): (gettext_lazy("unchanged households"), None),
    ("roster.", "new_buildings"): (gettext_lazy("new buildings"), None),
}
# Which model's fields a "changed" record ({field: [old, new]}) of a verb describes.
CHANGED_MODELS = {
    "household.updated": "estate.Household",
    "resident.updated": "estate.Resident",
    "repairs.volunteer.added": "repairs.Volunteer",
    "repairs.volunteer.changed": "repairs.Volunteer",
    "repairs.contractor.added": "repairs.Contractor",
    "repairs.contractor.changed": "repairs.Contractor",
}


def _skills(value):
    """A volunteer's skills as logged: the text of a list of Skill members ("[Skill.PLUMBING]") or of values."""
    from repairs.models import Skill

    names = re.findall(r"Skill\.([A-Z_]+)", str(value))
    if names:
        return "、".join(str(Skill[name].label) for name in names if name in Skill.__members__)
    values = re.findall(r"[a-z_]+", str(value))
    return "、".join(str(Skill(v).label) for v in values if v in Skill.values)


# Fields whose logged text needs more than the field's choices to read.
FIELD_READERS = {("repairs.volunteer", "skills"): _skills}
# Keys whose values are ids, looked up to a name.
REFERENCES = {
    "user": ("accounts.User", (), str),
    "household": ("estate.Household", (), lambda household: household.code),
    "resident": ("estate.Resident", (), lambda resident: resident.name),
    "deposit": ("keys.KeyDeposit", (), lambda deposit: deposit.tag),
    "account": ("ledger.Account", (), lambda account: account.name),
}


def _rule(verb, key):
    best = None
    for (prefix, rule_key), rule in DETAILS.items():
        if rule_key == key and verb.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, rule)
    return best[1] if best else (None, None)


def _field_value(model, field_name, value):
    try:
        field = model._meta.get_field(field_name)
    except Exception:  # noqa: BLE001 - a field since removed reads as it was stored
        return field_name, value
    reader = FIELD_READERS.get((model._meta.label_lower, field_name))
    if reader is not None:
        value = reader(value)
    elif field.choices:
        value = dict(field.flatchoices).get(value, value)
    elif field.get_internal_type() == "BooleanField":
        value = _yes_no(value)
    return str(field.verbose_name), value


def _pairs(record, lookups):
    """(label, value) pairs of one record, with references looked up in `lookups`."""
    details = dict(record.details or {})
    verb = record.verb
    pairs = []
    if verb.startswith("repairs.ticket.") and "from" in details and "to" in details:
        status = _choices("repairs.Ticket", "status")
        pairs.append((_("status"), f"{status(details.pop('from'))} → {status(details.pop('to'))}"))
    changed_model = CHANGED_MODELS.get(verb)
    for key, value in details.items():
        if value in ("", None, [], {}):
            continue
        if changed_model and isinstance(value, list) and len(value) == 2:
            model = apps.get_model(changed_model)
            label, old = _field_value(model, key, value[0])
            _label, new = _field_value(model, key, value[1])
            pairs.append((label, new if verb.endswith(".added") else f"{old or '—'} → {new or '—'}"))
            continue
        if _rule_hides(verb, key):
            continue
        label, how = _rule(verb, key)
        if key in ("from", "until") and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-01", value):
            value = value[:7]  # the first day stands for its month (fee rates, adjustments)
        if isinstance(how, str):
            value = lookups.get(how, {}).get(str(value), value)
        elif how is not None:
            value = how(value)
        elif key == "reason":
            value = _REASONS.get(value, value)
        elif isinstance(value, bool):
            value = _yes_no(value)
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        pairs.append((str(label or _DETAIL_LABELS.get(key, key)), value))
    return pairs


def _rule_hides(verb, key):
    """A rule with neither label nor reading hides the key (an internal id, a part shown elsewhere)."""
    return any(rule_key == key and verb.startswith(prefix) and rule == (None, None)
               for (prefix, rule_key), rule in DETAILS.items())


def _lookups(records):
    wanted = defaultdict(set)
    for record in records:
        for key, value in (record.details or {}).items():
            _label, how = _rule(record.verb, key)
            if isinstance(how, str) and isinstance(value, (int, str)):
                wanted[how].add(value)
    found = {}
    for kind, values in wanted.items():
        model_label, related, name = REFERENCES[kind]
        model = apps.get_model(model_label)
        if kind == "account":
            rows = model._default_manager.filter(code__in=[str(v) for v in values])
            found[kind] = {obj.code: name(obj) for obj in rows}
        else:
            pks = [int(v) for v in values if str(v).isdigit()]
            codes = [v for v in values if not str(v).isdigit()]
            found[kind] = {str(obj.pk): name(obj) for obj in model._default_manager.filter(pk__in=pks)}
            found[kind].update({code: code for code in codes})
    return found


def label_records(records):
    """Give each of `records` its `target_label` and `detail_pairs`, in one query per kind of object named."""
    records = list(records)
    targets = _targets(records)
    lookups = _lookups(records)
    for record in records:
        key = (f"{record.target_type.app_label}.{record.target_type.model}", record.target_id) \
            if record.target_type_id else None
        record.target_label = targets.get(key, record.target_repr)
        record.detail_pairs = _pairs(record, lookups)
    return records
