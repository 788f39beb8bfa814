"""A stateful property test of saving, stale saves and restoring revisions, compared with a naive
model (Hypothesis' RuleBasedStateMachine): after any sequence, the design and its history are
exactly what the model says — no save lost, no stale save applied, history only grows."""

import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from webhelpers import make_design, make_user

from designer.access import Actor
from designer.actions import do_restore_revision, do_update_design
from designer.errors import VersionConflict
from designer.models import Design, Revision

pytestmark = pytest.mark.django_db
_names = itertools.count()


class History(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.user = make_user(f"stateful{next(_names)}")
        self.actor = Actor(self.user)
        self.design = make_design(self.user, name="Start")
        # The model: the list of (name, description) per revision; the current one is the last.
        self.model = [("Start", "A lab")]

    def fresh(self):
        return Design.objects.get(pk=self.design.pk)

    @rule(name=st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12),
          description=st.text(st.characters(categories=["L", "N", "Zs"]), max_size=20))
    def save(self, name, description):
        do_update_design(self.actor, self.fresh(), base_version=len(self.model), name=name, description=description)
        self.model.append((name.strip(), description))

    @precondition(lambda self: len(self.model) > 1)
    @rule(data=st.data())
    def stale_save_is_refused(self, data):
        stale = data.draw(st.integers(1, len(self.model) - 1))
        with pytest.raises(VersionConflict) as refused:
            do_update_design(self.actor, self.fresh(), base_version=stale, name="never stored")
        assert refused.value.current_version == len(self.model)

    @rule(data=st.data())
    def restore(self, data):
        number = data.draw(st.integers(1, len(self.model)))
        do_restore_revision(self.actor, self.fresh(), number)
        self.model.append(self.model[number - 1])

    @invariant()
    def matches_the_model(self):
        design = self.fresh()
        assert design.version == len(self.model)
        assert (design.name, design.description) == self.model[-1]
        assert (design.document["name"], design.document["description"]) == self.model[-1]
        history = list(Revision.objects.filter(design=design).order_by("number").values_list("name", "description"))
        assert history == self.model


def test_revision_history_matches_a_naive_model():
    run_state_machine_as_test(History, settings=settings(
        max_examples=25, stateful_step_count=12, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(HealthCheck)))
