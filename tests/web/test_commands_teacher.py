"""`manage.py ensure_demo_teacher`: creates `teacher` once and prints the password only then."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("ensure_demo_teacher", stdout=out)
    return out.getvalue()


def test_first_run_creates_the_account_and_prints_a_working_password():
    out = run()
    match = re.fullmatch(r"Demo teacher account: teacher / (\S{16})\n", out)
    assert match, out
    teacher = get_user_model().objects.get(username="teacher")
    assert teacher.check_password(match.group(1))


def test_later_runs_neither_print_nor_change_the_password():
    first = re.search(r"/ (\S+)$", run().strip()).group(1)
    hashed = get_user_model().objects.get(username="teacher").password
    second = run()
    assert second == "Demo teacher account 'teacher' already exists (password unchanged).\n"
    assert first not in second
    assert get_user_model().objects.get(username="teacher").password == hashed


def test_a_password_the_teacher_chose_is_kept():
    run()
    teacher = get_user_model().objects.get(username="teacher")
    teacher.set_password("my-own-choice-2026")
    teacher.save()
    run()
    teacher.refresh_from_db()
    assert teacher.check_password("my-own-choice-2026")


def test_passwords_differ_between_fresh_databases():
    first = run()
    get_user_model().objects.filter(username="teacher").delete()
    assert run() != first
