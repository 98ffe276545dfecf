"""`manage.py tally_motion ID [--json]`: the stored figures of a closed motion, as counted at its close."""

import json

from django.core.management.base import BaseCommand, CommandError

from decisions.models import Motion
from decisions.tally import reason_text

FIGURES = ("total_area", "total_heads", "voted_area", "voted_heads", "yes_area", "yes_heads", "no_area", "no_heads",
           "abstain_area", "abstain_heads", "quorum_met", "passed")


class Command(BaseCommand):
    help = "Print a closed motion's tally: total, voted and yes area and heads, quorum met, passed."

    def add_arguments(self, parser):
        parser.add_argument("motion_id", type=int)
        parser.add_argument("--json", action="store_true", help="one JSON object (areas as strings, m²)")

    def handle(self, *args, motion_id, **options):
        motion = Motion.objects.select_related("tally").filter(pk=motion_id).first()
        if motion is None:
            raise CommandError(f"There is no motion {motion_id}.")
        if not motion.is_closed:
            raise CommandError(f"Motion {motion_id} is not closed: the tally is made when voting closes.")
        tally = motion.tally
        figures = {key: getattr(tally, key) for key in FIGURES}
        decision = getattr(motion, "decision", None)
        if options["json"]:
            payload = {"motion": motion.pk, "title": motion.title, "kind": motion.kind,
                       **{key: f"{value}" if key.endswith("_area") else value for key, value in figures.items()},
                       "decision": decision.number if decision else None, "sha256": tally.sha256,
                       "reasons": tally.reasons}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{motion.pk} {motion.title} ({motion.get_kind_display()})")
        for key, value in figures.items():
            self.stdout.write(f"  {key:<14} {value}")
        self.stdout.write(f"  {'decision':<14} {decision.number if decision else '-'}")
        for reason in tally.reasons:
            self.stdout.write(f"  - {reason_text(reason)}")
