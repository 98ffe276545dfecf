from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from estate import panels
from keys import access
from keys.dashboard import VERSIONS

register = template.Library()


@register.filter
def works_with_keys(user):
    """Keepers and witnesses: they get the key keepers' page in the menu."""
    return access.works_with_keys(user)


@register.filter
def on_duty(user):
    return access.is_keeper_on_duty(user)


# A key's story (templates/keys/_story.html) and a hand-over's confirmations (_events.html), written here: through
# the templates, with two includes a hand-over, a household's key page cost about 7 ms of CPU for 17 hand-overs.
# What a key's story shows: hand-overs and their confirmations, households, keepers' and witnesses' names.
STORY_ITEM = """
  <li class="key-story-item">
    <p class="key-story-head">
      <a href="{}">{}</a>
      <strong>{}</strong>
      {}
      {}
    </p>
    {}
    <p class="muted">{}
      {}</p>
    {}
    <details class="key-history">
      <summary>{}</summary>
      {}
    </details>
  </li>
"""
EVENT = """
  <li>
    <time datetime="{}">{}</time>
    {} {}{}
    {}
  </li>
  """


def _local(moment, format_name):
    return date_format(timezone.localtime(moment), format_name)


def _state_badge(handover):
    """As templates/keys/_state.html: overdue first, else the state's colour."""
    if handover.is_overdue:
        return format_html('<span class="badge bad">{}</span>', gettext("Overdue"))
    state = handover.state
    colour = {"out": " warn", "returning": " warn", "awaiting": " warn", "back": " good", "lost": " bad"}.get(state, "")
    return format_html('<span class="badge{}">{}</span>', colour, handover.state_label)


@register.simple_tag
def key_events(handover):
    """Every confirmation of a hand-over, `handover.events` prefetched."""
    photo = gettext("photo")
    events = "".join(
        format_html(
            EVENT, _local(event.at, "c"), _local(event.at, "SHORT_DATETIME_FORMAT"), event.by, event.get_kind_display(),
            format_html('<span class="key-note">{}</span>', event.note) if event.note else "",
            format_html('<a href="{}">{}</a>', reverse("keys:photo", args=[event.pk]), photo) if event.photo else "",
        )
        for event in handover.events.all()
    )
    return mark_safe(f'<ul class="key-events">\n  {events}\n</ul>\n')


@register.simple_tag
def key_story(handovers):
    """Each hand-over of a key with its people, times, notes and confirmations, `events` prefetched."""
    outside, emergency = gettext("outside the consent"), gettext("Emergency:")
    out_label, back_label = gettext("Out"), gettext("Back")
    photo, every = gettext("photo"), gettext("Every confirmation")
    items = []
    for handover in handovers:
        times = ""
        out_at, back_at = handover.out_at, handover.back_at
        if out_at:
            back = ""
            if back_at:
                same_day = timezone.localdate(back_at) == timezone.localdate(out_at)
                shown = time_format(timezone.localtime(back_at), "H:i") if same_day else _local(
                    back_at, "SHORT_DATETIME_FORMAT")
                back = format_html(" · {} {}", back_label, shown)
            times = format_html("<br>{} {}{}", out_label, time_format(timezone.localtime(out_at), "H:i"), back)
        people = mark_safe(gettext("Key keeper %(keeper)s, witness %(witness)s") % {
            "keeper": conditional_escape(handover.keeper), "witness": conditional_escape(handover.witness)})
        notes = "".join(
            format_html('<p class="key-note">{}{}</p>', event.note, format_html(
                ' <a href="{}">{}</a>', reverse("keys:photo", args=[event.pk]), photo) if event.photo else "")
            for event in handover.events.all() if event.note
        )
        items.append(format_html(
            STORY_ITEM, reverse("keys:handover", args=[handover.pk]), _local(handover.created_at, "SHORT_DATE_FORMAT"),
            handover.get_purpose_display(), _state_badge(handover),
            "" if handover.within_consent else format_html('<span class="badge bad">{}</span>', outside),
            format_html("<p>{} {}</p>", emergency, handover.emergency_reason) if handover.emergency_reason else "",
            people, times, mark_safe(notes), every, key_events(handover),
        ))
    if not items:
        items.append(format_html('\n  <li class="muted">{}</li>\n', gettext("This key has not left the cabinet.")))
    return mark_safe(f'<ol class="key-story">{"".join(items)}</ol>\n')


@register.simple_tag(takes_context=True)
def deposit_story(context, deposit):
    """`key_story` of a deposit's hand-overs (prefetched), kept per viewer and state of the keys (estate/panels.py):
    a household's page is mostly its keys' stories, which change seldom. The clock changes a story when a hand-over's
    time to confirm runs out or a key out falls overdue."""
    handovers = deposit.handovers.all()

    def make():
        return key_story(handovers), [moment for handover in handovers
                                      for moment in (handover.confirm_by, handover.due_back_at) if moment]

    return panels.kept(context["request"], f"keys.story.{deposit.pk}", VERSIONS, make)
