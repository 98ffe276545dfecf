from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from estate import uploads
from repairs import services
from tests.access import COMMITTEE, EVERYONE, Access, AccessTestCase
from tests.repairs.base import RepairsTestCase, prepared_photo

ROLES = tuple(p for p in EVERYONE if p != "outsider")
# Who sees a flat's ticket in 1-1-301: the committee, its household and building 1's head.
SEE_FLAT = (*COMMITTEE, "head1", "resident")
NOT_SEEING = ("resident_b", "volunteer")
NOT_COMMITTEE_WITH_ROLE = ("head1", "volunteer", "resident", "resident_b")


def ticket(t):
    return {"pk": t.flat.pk}


def photo(t):
    return {"pk": t.flat.pk, "photo_pk": t.flat.photos.get().pk}


class RepairsAccessTest(AccessTestCase, RepairsTestCase):
    def setUp(self):
        # Stored here and not in setUpTestData: each test has its own MEDIA_ROOT.
        self.flat = self.flat_ticket(photos=[prepared_photo()])
        self.quoted = self.advance(self.flat_ticket(), "accepted")
        pdf = uploads.prepare_document(SimpleUploadedFile("quote.pdf", b"%PDF-1.7\n"))
        self.quote = services.quote_add(ticket=self.quoted, by=self.member, contractor=self.firm,
                                        amount=Decimal("800.00"), attachment=pdf)

    rules = [
        Access("repairs:list", ok=ROLES, forbidden=("outsider",)),
        Access("repairs:new", ok=(*COMMITTEE, "head1", "resident", "resident_b"), forbidden=("volunteer", "outsider")),
        Access("repairs:figures", ok=ROLES, forbidden=("outsider",)),
        Access("repairs:detail", ok=SEE_FLAT, hidden=NOT_SEEING, forbidden=("outsider",), kwargs=ticket),
        Access("repairs:photo", ok=SEE_FLAT, hidden=NOT_SEEING, forbidden=("outsider",), kwargs=photo),
        Access("repairs:photo-small", ok=SEE_FLAT, hidden=NOT_SEEING, forbidden=("outsider",), kwargs=photo),
        Access("repairs:move", ok=COMMITTEE, hidden=NOT_SEEING, forbidden=("head1", "resident", "outsider"),
               method="post", kwargs=lambda t: {"pk": t.flat.pk, "move": "accept"}),
        Access("repairs:assign", ok=COMMITTEE, hidden=NOT_SEEING, forbidden=("head1", "resident", "outsider"),
               method="post", kwargs=ticket, data=lambda t: {"assignee": f"v{t.zhao.pk}"}),
        Access("repairs:confirm", ok=("resident",), hidden=NOT_SEEING, forbidden=(*COMMITTEE, "head1", "outsider"),
               method="post", kwargs=ticket, data=lambda t: {"rating": "5"}),
        Access("repairs:rate", ok=("resident",), hidden=NOT_SEEING, forbidden=(*COMMITTEE, "head1", "outsider"),
               method="post", kwargs=ticket, data=lambda t: {"rating": "5"}),
        Access("repairs:comment", ok=SEE_FLAT, hidden=NOT_SEEING, forbidden=("outsider",), method="post",
               kwargs=ticket, data=lambda t: {"comment": "还在漏"}),
        Access("repairs:quotes", ok=SEE_FLAT, hidden=NOT_SEEING, forbidden=("outsider",), kwargs=ticket),
        Access("repairs:quote-add", ok=COMMITTEE, forbidden=(*NOT_COMMITTEE_WITH_ROLE, "outsider"), method="post",
               kwargs=lambda t: {"pk": t.quoted.pk},
               data=lambda t: {"contractor": t.pipes.pk, "amount": "300"}),
        Access("repairs:quote-choose", ok=COMMITTEE, forbidden=(*NOT_COMMITTEE_WITH_ROLE, "outsider"),
               method="post", kwargs=lambda t: {"pk": t.quoted.pk},
               data=lambda t: {"quote": t.quote.pk, "reason": "最便宜"}),
        Access("repairs:quote-document", ok=SEE_FLAT, hidden=NOT_SEEING, forbidden=("outsider",),
               kwargs=lambda t: {"pk": t.quoted.pk, "quote_pk": t.quote.pk}),
        Access("repairs:talent", ok=COMMITTEE, forbidden=(*NOT_COMMITTEE_WITH_ROLE, "outsider")),
        Access("repairs:my-profile", ok=("volunteer",), forbidden=(*COMMITTEE, "head1", "resident", "resident_b",
                                                                   "outsider")),
        Access("repairs:volunteer-new", ok=COMMITTEE, forbidden=(*NOT_COMMITTEE_WITH_ROLE, "outsider")),
        Access("repairs:volunteer-edit", ok=COMMITTEE, forbidden=(*NOT_COMMITTEE_WITH_ROLE, "outsider"),
               kwargs=lambda t: {"pk": t.zhao.pk}),
        Access("repairs:contractor-new", ok=COMMITTEE, forbidden=(*NOT_COMMITTEE_WITH_ROLE, "outsider")),
        Access("repairs:contractor-edit", ok=COMMITTEE, forbidden=(*NOT_COMMITTEE_WITH_ROLE, "outsider"),
               kwargs=lambda t: {"pk": t.firm.pk}),
    ]

