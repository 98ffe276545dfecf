"""The tally sheet (表决结果公告): one snapshot, rendered as a page, an A4 PDF and a public verification page.

The snapshot (`Tally.data`, built by services.sheet_data at the close) holds
every figure as stored; these helpers only turn it into words and Decimals.
"""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from decisions.models import Assembly, Ballot, Motion
from decisions.tally import outcome_text, percent, reason_text

AREA_KEYS = ("total_area", "voted_area", "yes_area", "no_area", "abstain_area")


def verification_url(code):
    return settings.SITE_URL + reverse("tally-verify", args=[code])


def _figures(stored):
    figures = {key: Decimal(value) if key in AREA_KEYS else value for key, value in stored.items()}
    for key in ("yes", "no", "abstain"):
        figures[f"{key}_area_percent"] = percent(figures[f"{key}_area"].scaleb(2), figures["voted_area"].scaleb(2))
        figures[f"{key}_heads_percent"] = percent(figures[f"{key}_heads"], figures["voted_heads"])
    figures["voted_area_percent"] = percent(figures["voted_area"].scaleb(2), figures["total_area"].scaleb(2))
    figures["voted_heads_percent"] = percent(figures["voted_heads"], figures["total_heads"])
    return figures


def sheet_context(data, *, code=None, with_units=None):
    """What the sheet templates need. `with_units`: list each unit's choice (default: as the motion said)."""
    choices, channels = dict(Ballot.Choice.choices), dict(Ballot.Channel.choices)
    show_units = data["shows_units"] if with_units is None else with_units
    lines = [{**line, "area": Decimal(line["area"]), "choice_label": choices.get(line["choice"], ""),
              "channel_label": channels.get(line["channel"], "")} for line in data["lines"]]
    motion = data["motion"]
    context = {
        "sheet": data,
        "motion_kind": dict(Motion.Kind.choices).get(motion["kind"], motion["kind"]),
        "assembly_form": dict(Assembly.Form.choices).get(motion["form"], motion["form"]),
        "figures": _figures(data["figures"]),
        "reasons": [reason_text(reason) for reason in data["reasons"]],
        "outcome": outcome_text(data["figures"]["quorum_met"], data["figures"]["passed"]),
        "show_units": show_units,
        "lines": lines if show_units else [],
        "voted_units": sum(1 for line in lines if line["choice"]),
        "code": code,
    }
    if code:
        context["verify_url"] = verification_url(code)
    return context
