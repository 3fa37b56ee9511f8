"""One small form per petition action. Each carries the status and version the user saw, so that an
action taken on a page that someone else has changed since is refused instead of applied twice."""
from django import forms
from django.utils.translation import gettext_lazy as _

from offices.choices import Loop
from offices.models import Department, Studio
from petitions.models import PetitionEvent, Status

A = PetitionEvent.Action


class ActionForm(forms.Form):
    expected_status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    version = forms.CharField(max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args, petition=None, suggestion=None, may_override=False, **kwargs):
        self.petition, self.suggestion, self.may_override = petition, suggestion or {}, may_override
        super().__init__(*args, **kwargs)

    def details(self) -> dict:
        """The keyword arguments the action needs, from the cleaned data."""
        return {}


class NoteOptionalForm(ActionForm):
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def details(self):
        return {"note": self.cleaned_data["note"].strip()}


class AcceptForm(NoteOptionalForm):
    pass


class ResumeForm(NoteOptionalForm):
    pass


class RejectForm(ActionForm):
    reason = forms.CharField(label=_("Why it cannot be accepted"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The citizen sees this reason."))

    def details(self):
        return {"reason": self.cleaned_data["reason"].strip()}


class HoldForm(ActionForm):
    reason = forms.CharField(label=_("What are you waiting for from the citizen?"), max_length=255,
                             widget=forms.TextInput)

    def details(self):
        return {"reason": self.cleaned_data["reason"].strip()}


class ResolveForm(ActionForm):
    answer = forms.CharField(label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("What was done. The citizen sees it once it is sent."))

    def details(self):
        return {"answer": self.cleaned_data["answer"].strip()}


class ReplyForm(ActionForm):
    note = forms.CharField(label=_("Message to the citizen"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 4}))

    def details(self):
        return {"note": self.cleaned_data["note"].strip()}


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Internal note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Only staff and representatives see internal notes."))

    def details(self):
        return {"note": self.cleaned_data["note"].strip()}


def _studios():
    return Studio.objects.filter(active=True).order_by("name")


class TransferForm(ActionForm):
    studio = forms.ModelChoiceField(queryset=Studio.objects.none(), label=_("Transfer to studio"))
    note = forms.CharField(label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        studios = _studios()
        if self.petition is not None and self.petition.current_studio_id:
            studios = studios.exclude(pk=self.petition.current_studio_id)
        self.fields["studio"].queryset = studios

    def details(self):
        return {"studio": self.cleaned_data["studio"], "note": self.cleaned_data["note"].strip()}


class ConsultForm(ActionForm):
    departments = forms.ModelMultipleChoiceField(queryset=Department.objects.none(), required=False,
                                                 label=_("Departments involved"))
    note = forms.CharField(label=_("What the consultation should settle"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(active=True).order_by("name")

    def details(self):
        return {"departments": list(self.cleaned_data["departments"]), "note": self.cleaned_data["note"].strip()}


class DispatchForm(ActionForm):
    """分转: the loop and the handler, pre-filled with the router's suggestion; a different choice
    is an override, which needs a reason and the right to override."""

    loop = forms.TypedChoiceField(choices=Loop.choices, coerce=int, label=_("Loop"))
    studio = forms.ModelChoiceField(queryset=Studio.objects.none(), required=False, label=_("Handling studio"),
                                    help_text=_("Loop 2 with no studio: forwarded to the 12345 citizen hotline."))
    department = forms.ModelChoiceField(queryset=Department.objects.none(), required=False,
                                        label=_("Responsible department"))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(label=_("Why not the suggestion?"), required=False, max_length=1000,
                                      help_text=_("Needed when you change the suggested loop or handler."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["studio"].queryset = _studios()
        self.fields["department"].queryset = Department.objects.filter(active=True).order_by("name")
        if not self.suggestion:
            del self.fields["override_reason"]  # nothing to override
        if not self.is_bound:
            s = self.suggestion
            self.initial.setdefault("loop", s.get("loop") or (self.petition.loop if self.petition else None) or 1)
            self.initial.setdefault("studio", s.get("studio") or (self.petition.current_studio_id
                                                                   if self.petition else None))
            self.initial.setdefault("department", s.get("department"))

    @staticmethod
    def needs_routing_service(cleaned) -> bool:
        """Loop 3 convenes a joint consultation; loop 2 without a studio goes to the 12345 hotline."""
        return cleaned.get("loop") == 3 or (cleaned.get("loop") == 2 and not cleaned.get("studio"))

    def is_override(self, cleaned) -> bool:
        s = self.suggestion
        if not s:
            return False
        chosen = {"loop": cleaned.get("loop"), "studio": getattr(cleaned.get("studio"), "pk", None),
                  "department": getattr(cleaned.get("department"), "pk", None)}
        return any(s.get(key) is not None and chosen[key] != s.get(key) for key in ("loop", "studio", "department"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.needs_routing_service(cleaned) and not (cleaned.get("note") or cleaned.get("override_reason") or
                                                        "").strip():
            self.add_error("note", _("Say why: loop 3 and the 12345 hotline are recorded with a reason."))
        if self.is_override(cleaned):
            if not self.may_override:
                raise forms.ValidationError(_("Only studio admins and staff may change the routing suggestion."))
            if not (cleaned.get("override_reason") or "").strip():
                self.add_error("override_reason", _("Say why you are not following the suggestion."))
        return cleaned

    def details(self):
        c = self.cleaned_data
        return {"loop": c["loop"], "studio": c.get("studio"), "department": c.get("department"),
                "note": (c.get("note") or "").strip(),
                "override": self.is_override(c) or self.needs_routing_service(c),
                "override_reason": (c.get("override_reason") or "").strip()}


FORMS = {
    A.ACCEPT: AcceptForm, A.REJECT: RejectForm, A.DISPATCH: DispatchForm, A.TRANSFER: TransferForm,
    A.CONSULT: ConsultForm, A.HOLD: HoldForm, A.RESUME: ResumeForm, A.RESOLVE: ResolveForm, A.REPLY: ReplyForm,
    A.NOTE: NoteForm,
}
