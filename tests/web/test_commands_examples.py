"""`manage.py load_examples`: loads examples/*.json as public examples, idempotently."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from designer import actions
from designer.access import Actor
from designer.models import Design

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(folder: Path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_examples", "--dir", str(folder), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def folder(tmp_path):
    shutil.copy(EXAMPLES / "internal-switch.json", tmp_path / "internal-switch.json")
    return tmp_path


def test_every_shipped_example_loads_and_is_public():
    out, err = run(EXAMPLES)
    files = sorted(p.stem for p in EXAMPLES.glob("*.json"))
    assert out.splitlines() == [f"Example {stem}: created" for stem in files]
    assert err == ""
    loaded = Design.objects.filter(is_example=True).order_by("example_slug")
    assert [d.example_slug for d in loaded] == files
    owner = loaded[0].owner
    assert (owner.username, owner.is_active, owner.has_usable_password()) == ("examples", False, False)


def test_a_second_run_changes_nothing(folder):
    run(folder)
    before = list(Design.objects.values_list("pk", "version", "updated_at"))
    out, _ = run(folder)
    assert out == "Example internal-switch: unchanged\n"
    assert list(Design.objects.values_list("pk", "version", "updated_at")) == before


def test_a_changed_file_updates_the_same_design_and_keeps_user_data(folder):
    run(folder)
    example = Design.objects.get(example_slug="internal-switch")
    user = get_user_model().objects.create_user("student", password="pw-student-12345")
    copy = actions.do_duplicate_design(Actor(user), example, user)

    document = json.loads((folder / "internal-switch.json").read_text())
    document["description"] = "Now with a better story."
    (folder / "internal-switch.json").write_text(json.dumps(document))
    out, _ = run(folder)

    assert out == "Example internal-switch: updated to version 2\n"
    example.refresh_from_db()
    assert (example.version, example.description) == (2, "Now with a better story.")
    assert example.revisions.count() == 2
    copy.refresh_from_db()
    original = json.loads((EXAMPLES / "internal-switch.json").read_text())["description"]
    assert (copy.owner, copy.version, copy.description) == (user, 1, original)


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"version": 1, "nodes": [], "nodes": []}', "bad.json: Not acceptable JSON"),
        ('{"version": 1, "nodes": [{"id": "a", "kind": "teapot"}]}', "bad.json: The design document has"),
        ("[]", "bad.json: An example file holds one design document: a JSON object."),
    ],
)
def test_an_invalid_file_is_reported_not_loaded_and_fails_the_command(folder, content, message):
    (folder / "bad.json").write_text(content)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"^1 example file\(s\) not loaded: bad\.json$"):
        call_command("load_examples", "--dir", str(folder), stdout=out, stderr=err)
    assert err.getvalue().startswith(message)
    # The valid file beside it was still loaded.
    assert out.getvalue() == "Example internal-switch: created\n"
    assert list(Design.objects.values_list("example_slug", flat=True)) == ["internal-switch"]


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="is not a folder of example designs"):
        run(tmp_path / "nowhere")
