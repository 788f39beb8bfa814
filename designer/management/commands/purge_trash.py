"""`manage.py purge_trash`: delete the designs trashed longer than DESIGNER_TRASH_DAYS (30).

Reading never deletes (past retention a design is simply not found nor listed), so this command
is what frees the space: run it daily (README.md, "Configuration", has the cron and systemd lines).
"""

from django.core.management.base import BaseCommand

from designer.actions import do_purge_trash


class Command(BaseCommand):
    help = "Delete designs that have been in the trash longer than DESIGNER_TRASH_DAYS."

    def handle(self, *args, **options):
        count = do_purge_trash()
        self.stdout.write(f"Purged {count} design(s) from the trash.")
