"""Forms of the pages. They check the shape of what a person typed; the actions check the rest."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

# Offered expiries of a share link; "" = never. A fixed list keeps the form one keyboard-friendly
# select instead of a date picker, and the server computes the instant (no client clock).
EXPIRY_CHOICES = [
    ("", "Never"),
    ("1h", "In 1 hour"),
    ("1d", "In 1 day"),
    ("7d", "In 7 days"),
    ("30d", "In 30 days"),
]
EXPIRY_DELTAS = {
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
}


class SignupForm(UserCreationForm):
    """Django's own sign-up form: username, password twice, AUTH_PASSWORD_VALIDATORS applied."""


class LoginForm(AuthenticationForm):
    """Django's log-in form; failures are throttled by django-axes (settings, AXES_*)."""


class NewDesignForm(forms.Form):
    name = forms.CharField(max_length=200, initial="Untitled design")


class ShareLinkForm(forms.Form):
    role = forms.ChoiceField(
        choices=[("viewer", "Viewer: can look"), ("editor", "Editor: can change")],
        initial="viewer",
        label="Role",
    )
    expires_in = forms.ChoiceField(choices=EXPIRY_CHOICES, required=False, label="Expires")

    def expires_at(self, now):
        """The expiry instant chosen, from the server's `now`; None for a link that never expires."""
        delta = EXPIRY_DELTAS.get(self.cleaned_data.get("expires_in") or "")
        return None if delta is None else now + delta


class ImportForm(forms.Form):
    file = forms.FileField(label="Design file (.json)")
