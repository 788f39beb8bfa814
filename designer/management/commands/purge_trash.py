"""`manage.py purge_trash`: delete designs trashed longer than DESIGNER_TRASH_DAYS (30).
Reading the trash also purges (purge-on-read); this command is for a daily cron job."""

from django.core.management.base import BaseCommand

from designer.actions import purge_trash


class Command(BaseCommand):
    help = "Delete designs that have been in the trash longer than the retention period."

    def handle(self, *args, **options):
        count = purge_trash()
        self.stdout.write(f"Purged {count} design(s) from the trash.")
