"""Small display helpers for the repairs pages."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from repairs.models import Ticket

register = template.Library()

STATUS_BADGES = {
    Ticket.Status.NEW: "warn",
    Ticket.Status.DONE: "good",
    Ticket.Status.CONFIRMED: "good",
    Ticket.Status.CLOSED: "",
    Ticket.Status.REJECTED: "bad",
}


@register.filter
def duration(value):
    """A timedelta as people say it: 40 minutes, 5 hours, 3 days."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


@register.filter
def status_badge(status):
    return STATUS_BADGES.get(status, "")


@register.filter
def stars(rating):
    return "★" * rating + "☆" * (5 - rating) if rating else ""


@register.filter
def overdue(ticket, now):
    return ticket.is_overdue(now)


@register.simple_tag
def shown_name(person, ticket, public_names):
    """A person's name as this viewer may read it: residents stay anonymous to those not involved."""
    if public_names is None or person.pk in public_names:
        return str(person)
    if person.pk == ticket.reported_by_id:
        return _("The reporter")
    return _("A resident")
