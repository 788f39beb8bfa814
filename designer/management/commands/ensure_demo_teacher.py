"""`manage.py ensure_demo_teacher`: a demo account to try sharing with, made once.

On first creation the random password is printed, once; later runs say the account exists and
neither print nor change the password (someone may have changed it since: keep their choice).
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

USERNAME = "teacher"


class Command(BaseCommand):
    help = "Create the demo account 'teacher' with a random password, printed on first creation only."

    def handle(self, *args, **options):
        User = get_user_model()
        with transaction.atomic():
            user, created = User.objects.get_or_create(**{User.USERNAME_FIELD: USERNAME})
            if created:
                # token_urlsafe(12): 16 characters from a CSPRNG, passes Django's validators.
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save(update_fields=["password"])
        if created:
            self.stdout.write(f"Demo teacher account: {USERNAME} / {password}")
        else:
            self.stdout.write(f"Demo teacher account '{USERNAME}' already exists (password unchanged).")
