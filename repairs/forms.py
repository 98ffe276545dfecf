"""Forms of the repairs pages: they validate and normalise; the services make the changes."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from estate import uploads
from estate.models import Building, Household
from estate.wording import labelled
from ledger import citations
from repairs.models import SKILLS_FOR, Contractor, Skill, Ticket, Volunteer


class NoSuffix:
    """Labels are questions ("Where is the problem?"): no colon after them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to six photos, each checked cheaply by estate.uploads.receive_image, and all of them together within a
    pixel budget: decoding, re-encoding and thumbnails happen in the background (repairs.tasks).

    On a phone the input opens the camera (capture="environment"); cleaned
    values are ReceivedImage objects, ready for the service to queue.
    """

    widget = MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment", "multiple": True})

    def __init__(self, *, max_files=Ticket.MAX_PHOTOS, **kwargs):
        kwargs.setdefault("required", False)
        # The field is made when the module is imported: its help text is put in words when the form is shown,
        # in the language of whoever looks at it.
        kwargs.setdefault("help_text", _photos_help_lazy(max_files))
        super().__init__(**kwargs)
        self.max_files = max_files

    def clean(self, data, initial=None):
        files = [upload for upload in (data if isinstance(data, (list, tuple)) else [data]) if upload]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(_("At most %(count)s photos, please.") % {"count": self.max_files},
                                  code="too_many")
        prepared, errors = [], []
        for upload in files:
            try:
                super().clean(upload)
                prepared.append(uploads.receive_image(upload))
            except ValidationError as error:
                name = (upload.name or "?").replace("\\", "/").rsplit("/", 1)[-1][:60]
                errors.extend(labelled(name, message) for message in error.messages)
        if errors:
            raise ValidationError(errors)
        # Each photo may be large; several large ones at once would hold the worker that cleans them.
        if sum(image.pixels for image in prepared) > uploads.MAX_PIXELS_PER_REQUEST:
            raise ValidationError(_("These photos are too large together (more than %(megapixels)s million "
                                    "pixels): send fewer at a time, or smaller ones.")
                                  % {"megapixels": uploads.MAX_PIXELS_PER_REQUEST // 1_000_000},
                                  code="too_many_pixels_in_all")
        return prepared


def _photos_help(count):
    return gettext("Up to %(count)s photos: JPEG, PNG or WebP, at most 10 MB each.") % {"count": count}


_photos_help_lazy = lazy(_photos_help, str)


class ReportForm(NoSuffix, forms.Form):
    # Neither where nor what is preselected: a guessed answer left standing would send the wrong person.
    place = forms.ChoiceField(label=_("Where is the problem?"),
                              choices=[("", _("Choose where")), *Ticket.Place.choices])
    household = forms.ModelChoiceField(label=_("Which flat?"), queryset=Household.objects.none(), required=False,
                                       empty_label=_("Choose the flat"))
    building = forms.ModelChoiceField(label=_("Which building?"), queryset=Building.objects.all(),
                                      required=False, empty_label=_("Not in a building / the whole estate"))
    spot = forms.CharField(label=_("Exact spot"), max_length=100, required=False,
                           help_text=_("For example: entrance 2, between the 5th and 6th floor"))
    category = forms.ChoiceField(label=_("What is broken?"),
                                 choices=[("", _("Choose what is broken")), *Ticket.Category.choices])
    urgency = forms.ChoiceField(
        label=_("How urgent?"), choices=Ticket.Urgency.choices, initial=Ticket.Urgency.NORMAL,
        widget=forms.RadioSelect,
        help_text=_("Emergency: water pouring, no light at night, danger to people. Call the building head too."),
    )
    description = forms.CharField(label=_("What is wrong?"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("Photos"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        households = Household.objects.visible_to(user).filter(is_active=True).select_related("building")
        self.fields["household"].queryset = households
        self.user = user
        # A resident of one flat never has to pick it.
        if not user.is_committee and not user.is_building_head and len(user.household_ids) == 1:
            self.fields["household"].widget = forms.HiddenInput()
            self.fields["household"].initial = next(iter(user.household_ids))
        if not user.is_resident and not user.is_committee and not user.is_building_head:
            self.fields["place"].choices = [c for c in self.fields["place"].choices if c[0] != Ticket.Place.FLAT]

    def clean_description(self):
        return self.cleaned_data["description"].strip()

    def clean_spot(self):
        return self.cleaned_data["spot"].strip()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("place") == Ticket.Place.FLAT:
            if not cleaned.get("household"):
                self.add_error("household", _("Choose the flat."))
            cleaned["building"] = None
        else:
            cleaned["household"] = None
        return cleaned


class CommentForm(NoSuffix, forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos"))

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("comment") or "").strip() and not cleaned.get("photos") and not self.errors:
            raise ValidationError(_("Write something or add a photo."))
        return cleaned


class MoveForm(NoSuffix, forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


RATING_CHOICES = [(n, "★" * n) for n in range(5, 0, -1)]


class ConfirmForm(NoSuffix, forms.Form):
    rating = forms.TypedChoiceField(label=_("How was the work?"), choices=RATING_CHOICES, coerce=int,
                                    empty_value=None, required=False, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class RateForm(ConfirmForm):
    rating = forms.TypedChoiceField(label=_("How was the work?"), choices=RATING_CHOICES, coerce=int,
                                    widget=forms.RadioSelect)


class AssignForm(NoSuffix, forms.Form):
    """One select with two groups: volunteers of the talent pool (those with a fitting skill first), contractors."""

    assignee = forms.ChoiceField(label=_("Who does the work?"))
    comment = forms.CharField(label=_("Note for them (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, ticket, volunteers, contractors, **kwargs):
        super().__init__(*args, **kwargs)
        fitting = set(SKILLS_FOR.get(ticket.category, ()))
        volunteers = sorted(volunteers, key=lambda v: (not fitting & set(v.skills), str(v)))
        self._volunteers = {f"v{v.pk}": v for v in volunteers}
        self._contractors = {f"c{c.pk}": c for c in contractors}
        self.fields["assignee"].choices = [
            ("", _("Choose")),
            (_("Volunteers"), [(key, _volunteer_label(v, fitting)) for key, v in self._volunteers.items()]),
            (_("Contractors"), [(key, f"{c} · {c.get_trade_display()}") for key, c in self._contractors.items()]),
        ]
        if ticket.chosen_quote_id:
            self.fields["assignee"].initial = f"c{ticket.chosen_quote.contractor_id}"
        elif ticket.volunteer_id or ticket.contractor_id:
            self.fields["assignee"].initial = f"v{ticket.volunteer_id}" if ticket.volunteer_id \
                else f"c{ticket.contractor_id}"

    def clean_assignee(self):
        key = self.cleaned_data["assignee"]
        return {"volunteer": self._volunteers.get(key), "contractor": self._contractors.get(key)}


def _volunteer_label(volunteer, fitting):
    skills = "、".join(str(label) for label in volunteer.skill_labels)
    mark = "★ " if fitting & set(volunteer.skills) else ""
    availability = f" · {volunteer.availability}" if volunteer.availability else ""
    return f"{mark}{volunteer}（{skills}）{availability}" if skills else f"{mark}{volunteer}{availability}"


class VolunteerForm(NoSuffix, forms.ModelForm):
    skills = forms.MultipleChoiceField(label=_("Skills"), choices=Skill.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Volunteer
        fields = ["user", "skills", "availability", "phone", "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}),
                   "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}
        help_texts = {"phone": _("Seen only by the committee.")}

    def __init__(self, *args, own=False, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk or own:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = User.objects.filter(
                roles__kind=Role.Kind.VOLUNTEER, roles__ended_at__isnull=True, talent__isnull=True
            ).order_by("name", "username").distinct()
            self.fields["user"].help_text = _("People with the volunteer role who are not in the pool yet.")
        if own:
            del self.fields["is_active"]

    def clean_skills(self):
        return [value for value in Skill.values if value in self.cleaned_data["skills"]]

    def clean_availability(self):
        return self.cleaned_data["availability"].strip()

    def clean_phone(self):
        return "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit() or ch in "+-")

    def clean_notes(self):
        return self.cleaned_data["notes"].strip()


class ContractorForm(NoSuffix, forms.ModelForm):
    class Meta:
        model = Contractor
        fields = ["name", "trade", "phone", "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}),
                   "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Please give the name."))
        return name

    def clean_phone(self):
        return "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit() or ch in "+-")

    def clean_notes(self):
        return self.cleaned_data["notes"].strip()


class QuoteForm(NoSuffix, forms.Form):
    contractor = forms.ModelChoiceField(label=_("Contractor"), queryset=Contractor.objects.filter(is_active=True),
                                        empty_label=_("Choose"))
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                                max_value=settings.LEDGER_MAX_AMOUNT,
                                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                help_text=_("Without commas, for example 26000 or 1250.50"))
    attachment = forms.FileField(label=_("The quote itself (photo or PDF)"), required=False,
                                 widget=forms.FileInput(attrs={"accept": "image/*,application/pdf"}))
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("What is included, guarantee, how long the work takes."))

    def clean_attachment(self):
        upload = self.cleaned_data["attachment"]
        return uploads.prepare_document(upload) if upload else None


class ChooseQuoteForm(NoSuffix, forms.Form):
    quote = forms.ModelChoiceField(label=_("Quote"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    reason = forms.CharField(label=_("Why this one?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Everyone who can see the ticket reads this."))

    def __init__(self, *args, quotes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quote"].queryset = quotes
        # A large quote's spending cites the owners' decision (ledger.citations).
        self.fields["decision"] = citations.decision_field(citations.EXPENSE, help_text=citations.EXPENSE_HELP)
        self.fields["quote"].label_from_instance = lambda q: _("%(name)s · %(amount)s CNY") % {
            "name": q.contractor, "amount": f"{q.amount:,.2f}"}
        self.fields["quote"].help_text = _(
            "From %(threshold)s CNY up, two committee members other than you approve the choice in the "
            "estate's accounts before the work starts."
        ) % {"threshold": f"{settings.LEDGER_APPROVAL_THRESHOLD:,.2f}"}

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()


class PeriodForm(NoSuffix, forms.Form):
    """A month (2026-05) or a year (2026) for the figures page; anything else means this month."""

    period = forms.RegexField(regex=r"^(20\d\d)(-(0[1-9]|1[0-2]))?$", required=False)

    def chosen(self, today):
        value = self.cleaned_data.get("period") if self.is_valid() else ""
        if not value or int(value[:4]) > today.year + 1:
            return today.year, today.month
        year, _sep, month = value.partition("-")
        return int(year), int(month) if month else None
