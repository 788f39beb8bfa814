"""`manage.py load_examples`: every `examples/*.json` becomes a public example design.

Idempotent by `example_slug` (the file stem): a new file creates an example, a changed one is saved
as a new revision of the same design (same id, so links to it keep working), an unchanged one is
left alone. Nothing else is touched: users' designs, their copies of examples, memberships.

Each file goes through the same doors as an upload: the strict JSON parser, then
`simcore.design.validate` (inside `actions.do_upsert_example`). An invalid file is reported with
every problem and not loaded; the command then exits non-zero, after loading the valid ones, so
that `make run` shows it.

The examples belong to a system user that cannot log in (inactive, unusable password).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from designer import actions
from designer.errors import DesignerError
from designer.jsondoor import parse_json
from designer.models import Design

SYSTEM_USERNAME = "examples"


def system_user():
    User = get_user_model()
    user, created = User.objects.get_or_create(**{User.USERNAME_FIELD: SYSTEM_USERNAME}, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def load_example(path: Path, owner) -> str:
    """Load one file; returns what happened ("created", "updated to version N", "unchanged")."""
    before = Design.objects.filter(example_slug=path.stem).values_list("version", flat=True).first()
    document = parse_json(path.read_bytes())
    if not isinstance(document, dict):
        raise DesignerError("An example file holds one design document: a JSON object.", code="design.invalid")
    design = actions.do_upsert_example(slug=path.stem, document=document, owner=owner)
    if before is None:
        return "created"
    return "unchanged" if design.version == before else f"updated to version {design.version}"


class Command(BaseCommand):
    help = "Load examples/*.json as public example designs (idempotent by file stem)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", type=Path, default=Path(settings.BASE_DIR) / "examples", help="Folder of example .json files."
        )

    def handle(self, *args, **options):
        folder: Path = options["dir"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder of example designs.")
        owner = system_user()
        failed = []
        for path in sorted(folder.glob("*.json")):
            try:
                outcome = load_example(path, owner)
            except DesignerError as error:
                failed.append(path.name)
                self.stderr.write(f"{path.name}: {error.msg}")
                for p in error.problems:
                    self.stderr.write(f"  {p.get('path') or '(document)'}: {p.get('msg')} [{p.get('code')}]")
                continue
            self.stdout.write(f"Example {path.stem}: {outcome}")
        if failed:
            raise CommandError(f"{len(failed)} example file(s) not loaded: {', '.join(failed)}")
