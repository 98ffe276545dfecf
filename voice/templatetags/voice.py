"""Residents' comments under a common-area repair ticket and its quotes (集思广益)."""

from django import template

from voice.forms import CommentForm, HideForm
from voice.services import comment_refusal
from voice.views import comments_of

register = template.Library()


@register.inclusion_tag("voice/_ticket_comments.html", takes_context=True)
def resident_comments(context, ticket, back=""):
    """One query for the comments; nothing at all for a flat's ticket, which stays private."""
    user = context["request"].user
    if not ticket.is_common_area:
        return {"show": False}
    return {
        "show": True, "request": context["request"], "user": user, "ticket": ticket, "back": back,
        "comments": comments_of(ticket.resident_comments.all(), user),
        # The quotes page lists them already; the ticket page asks about the work as a whole.
        "form": (CommentForm(quotes=[row[0] for row in context.get("rows", ())])
                 if not comment_refusal(user, ticket=ticket) else None),
        "hide_form": HideForm() if user.is_committee else None,
        "csrf_token": context.get("csrf_token"),
    }
