"""Counting a vote: participation and majorities by area and by heads, in exact arithmetic.

《民法典》第二百七十八条: every matter needs the participation of owners holding
at least two thirds of the area AND at least two thirds of the heads; items 6–8
pass with at least three quarters of the participating area AND heads, the
others with more than half of both. "以上" includes the number itself, "过半数"
does not. Areas are compared in whole fen (0.01 m²) and every fraction is
cross-multiplied in integers: no float, no rounding, ever decides a vote.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

PARTICIPATION = (2, 3)  # at least (以上)
THREE_QUARTERS = (3, 4)  # at least (以上)
MORE_THAN_HALF = (1, 2)  # strictly more than (过半数)


def fen(area):
    """m² as a whole number of hundredths: Decimal("101.50") -> 10150."""
    value = Decimal(area).scaleb(2)
    if value != value.to_integral_value():
        raise ValueError(f"{area} m² has more than two decimal places")
    return int(value)


def m2(fen_value):
    return Decimal(fen_value).scaleb(-2).quantize(Decimal("0.01"))


def at_least(part, whole, ratio):
    """part / whole ≥ num / den, in integers."""
    num, den = ratio
    return part * den >= whole * num


def more_than(part, whole, ratio):
    """part / whole > num / den, in integers."""
    num, den = ratio
    return part * den > whole * num


def needed_at_least(whole, ratio):
    """The least whole number n with n / whole ≥ num / den: ceil(whole·num / den)."""
    num, den = ratio
    return -(-whole * num // den)


def needed_more_than(whole, ratio):
    """The least whole number n with n / whole > num / den."""
    num, den = ratio
    return whole * num // den + 1


def percent(part, whole):
    """For people to read (two places); never used to decide anything."""
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Test:
    """One of the four comparisons: participation or approval, by area (in fen) or by heads."""

    stage: str  # "participation" | "approval"
    measure: str  # "area" | "heads"
    rule: str  # "two_thirds" | "three_quarters" | "more_than_half"
    have: int
    of: int
    need: int
    met: bool

    def as_dict(self):
        return {"stage": self.stage, "measure": self.measure, "rule": self.rule,
                "have": self.have, "of": self.of, "need": self.need, "met": self.met}


@dataclass
class Count:
    """What was cast, per unit: the inputs of a tally."""

    total_fen: int = 0
    total_heads: int = 0
    voted_fen: int = 0
    yes_fen: int = 0
    no_fen: int = 0
    abstain_fen: int = 0
    voted_heads: int = 0
    yes_heads: int = 0
    no_heads: int = 0
    abstain_heads: int = 0
    tests: list = field(default_factory=list)

    @property
    def quorum_met(self):
        return all(t.met for t in self.tests if t.stage == "participation")

    @property
    def passed(self):
        return self.quorum_met and all(t.met for t in self.tests if t.stage == "approval")


def count(roll, choices, *, three_quarters):
    """Count a vote.

    `roll`: {unit id: (area as Decimal, head key)} for every unit entitled to vote.
    `choices`: {unit id: "yes" | "no" | "abstain"} for the counted ballots.
    The units of one head must carry one choice (checked before the close).
    """
    result = Count(total_fen=sum(fen(area) for area, _head in roll.values()),
                   total_heads=len({head for _area, head in roll.values()}))
    head_choice = {}
    for unit, choice in choices.items():
        area, head = roll[unit]
        result.voted_fen += fen(area)
        setattr(result, f"{choice}_fen", getattr(result, f"{choice}_fen") + fen(area))
        if head_choice.setdefault(head, choice) != choice:
            raise ValueError(f"the units of {head} carry different choices")
    result.voted_heads = len(head_choice)
    for choice in ("yes", "no", "abstain"):
        setattr(result, f"{choice}_heads", sum(1 for c in head_choice.values() if c == choice))

    for measure, have, of in (("area", result.voted_fen, result.total_fen),
                              ("heads", result.voted_heads, result.total_heads)):
        result.tests.append(Test("participation", measure, "two_thirds", have, of,
                                 needed_at_least(of, PARTICIPATION), at_least(have, of, PARTICIPATION)))
    for measure, have, of in (("area", result.yes_fen, result.voted_fen),
                              ("heads", result.yes_heads, result.voted_heads)):
        if three_quarters:
            test = Test("approval", measure, "three_quarters", have, of,
                        needed_at_least(of, THREE_QUARTERS), at_least(have, of, THREE_QUARTERS))
        else:
            test = Test("approval", measure, "more_than_half", have, of,
                        needed_more_than(of, MORE_THAN_HALF), more_than(have, of, MORE_THAN_HALF))
        result.tests.append(test)
    return result


def reason_text(reason):
    """One stored reason (Test.as_dict()) in words, in the reader's language."""
    area = reason["measure"] == "area"
    have = m2(reason["have"]) if area else reason["have"]
    of = m2(reason["of"]) if area else reason["of"]
    need = m2(reason["need"]) if area else reason["need"]
    values = {"have": have, "of": of, "need": need, "percent": percent(reason["have"], reason["of"])}
    if reason["stage"] == "participation":
        if area:
            text = _("Owners holding %(have)s m² of %(of)s m² took part (%(percent)s%%); at least two thirds, "
                     "%(need)s m², are needed.")
        else:
            text = _("%(have)s of %(of)s owners took part (%(percent)s%%); at least two thirds, %(need)s, "
                     "are needed.")
    elif reason["rule"] == "three_quarters":
        if area:
            text = _("Owners holding %(have)s m² of the %(of)s m² taking part voted for (%(percent)s%%); at least "
                     "three quarters, %(need)s m², are needed.")
        else:
            text = _("%(have)s of the %(of)s owners taking part voted for (%(percent)s%%); at least three "
                     "quarters, %(need)s, are needed.")
    else:
        if area:
            text = _("Owners holding %(have)s m² of the %(of)s m² taking part voted for (%(percent)s%%); more "
                     "than half, at least %(need)s m², is needed.")
        else:
            text = _("%(have)s of the %(of)s owners taking part voted for (%(percent)s%%); more than half, at "
                     "least %(need)s, is needed.")
    verdict = _("Met.") if reason["met"] else _("Not met.")
    return f"{text % values} {verdict}"


def outcome_text(quorum_met, passed):
    if passed:
        return _("Passed: enough owners took part, and enough of them voted for.")
    if not quorum_met:
        return _("Not passed: too few owners took part, so the vote is not valid.")
    return _("Not passed: enough owners took part, but too few of them voted for.")
