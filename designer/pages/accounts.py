"""Accounts pages: sign up (rate limited per address), log in (failures throttled by django-axes), log out (POST), change password.

Django's own auth views and forms do the work (password hashing, validators, session rotation on
log-in, session hash update on password change); these classes only set templates and redirects.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from designer import limits
from designer.errors import RateLimited

from .forms import LoginForm, SignupForm


def safe_next(request, fallback: str = "/") -> str:
    """The `next` target when it stays on this site (no open redirect), else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:  # counted only for a valid form: a typo in the second password costs nothing
            limits.check_signup(request)
        except RateLimited as refused:
            form.add_error(None, refused.msg)
            return render(request, "registration/signup.html", {"form": form, "next": safe_next(request, "")},
                          status=429)
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}: your account is ready.")
        return redirect(safe_next(request))
    return render(request, "registration/signup.html", {"form": form, "next": safe_next(request, "")})


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("home")


def username_for_throttle(request, credentials) -> str:
    """The account a log-in attempt is counted for by django-axes, however it was typed."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(username).strip().lower()[:150]


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a log-in of a locked (account, address) pair: the log-in page again,
    status 429, saying why and for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (f"Too many failed log-ins for this account from your address ({settings.AXES_FAILURE_LIMIT} in a "
               f"row). Wait {minutes} minutes after the last attempt, then try again.")
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    form = LoginForm(request, initial={"username": str(username)[:150]})
    return render(request, "registration/login.html",
                  {"form": form, "locked_out": message, "next": safe_next(request, "")}, status=429)


class LogoutView(auth_views.LogoutView):
    # Django 5 accepts only POST here: a link or an <img> cannot log someone out.
    next_page = reverse_lazy("home")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        answer = super().form_valid(form)
        messages.success(self.request, "Your password was changed.")
        return answer
