"""A vote on top of the shared personas.

The register holds 1-1-301 (101.50 m², owner `resident`), 1-1-302 (74.00 m², no login) and 2-1-101
(86.00 m², owner `resident_b`): 261.50 m² and three heads. `motion` (an ordinary matter) is drafted in
`assembly` with voting from an hour ago for a week; `open_motion()` opens it.
"""

from datetime import timedelta
from io import BytesIO

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from decisions import services
from decisions.models import Assembly, Motion
from estate.uploads import prepare_document
from tests.base import BaseTestCase


def scan_upload(name="ballot.png"):
    """A small PNG as a phone would upload it."""
    out = BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def scan():
    return prepare_document(scan_upload())


class Votes:
    @classmethod
    def create_vote(cls):
        cls.now = timezone.now()
        with transaction.atomic():
            cls.assembly = services.assembly_save(title="2027年第一次业主大会", form=Assembly.Form.WRITTEN,
                                                  by=cls.chair)
            cls.motion = cls.draft(title="更换小区大门门禁系统", kind=Motion.Kind.OTHER)

    @classmethod
    def draft(cls, *, title, kind, accepts=Motion.Accepts.BOTH, public_shows_units=False):
        return services.motion_save(
            assembly=cls.assembly, title=title, text=f"{title}。全文如下：……", kind=kind,
            voting_starts=cls.now - timedelta(hours=1), voting_ends=cls.now + timedelta(days=7),
            accepts=accepts, public_shows_units=public_shows_units, by=cls.chair,
        )

    def open_motion(self, motion=None):
        return services.motion_open(motion=motion or self.motion, by=self.chair)

    def cast(self, user, household, choice, motion=None):
        return services.ballot_cast(motion=motion or self.motion, household=household, choice=choice, by=user)

    def paper(self, household, choice, *, by=None, confirm_by=None, motion=None, proxy=None):
        ballot = services.ballot_enter_paper(motion=motion or self.motion, household=household, choice=choice,
                                             voter_name="纸质业主", scan=scan(), by=by or self.member, proxy=proxy)
        if confirm_by is not None:
            services.ballot_confirm(ballot=ballot, choice=choice, by=confirm_by)
        return ballot

    def after_the_end(self, motion=None):
        """A clock past the end of voting (used as a context manager)."""
        return time_machine.travel((motion or self.motion).voting_ends + timedelta(minutes=1), tick=False)

    def close(self, motion=None):
        motion = motion or self.motion
        with self.after_the_end(motion):
            return services.motion_close(motion=Motion.objects.get(pk=motion.pk), by=self.chair)

    def reload(self, obj):
        return type(obj).objects.get(pk=obj.pk)


class VotesTestCase(Votes, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_vote()
