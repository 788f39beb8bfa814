"""Imported only inside the run workers' fork server (localrun._worker_context preloads it).

Every child of a fork server runs multiprocessing's main-module fix-up: it re-executes the parent's
main script (under Daphne: daphne's launcher, which imports Daphne and Twisted, ~0.7 s) before the
worker starts. The fork server was meant to import that script once (its `__main__` preload), but
on Python 3.11 the path never reaches it (forkserver asks the preparation data for `main_path`, a
key spawn names `init_main_from_path`), so each child pays it again. A run worker's target,
`designer.simulation.worker.main`, lives in a real module and needs nothing from the parent's main
script, so in this process (and the workers forked from it) the fix-up is skipped.
"""

from multiprocessing import spawn


def _skip_main_fixup(main_path: str) -> None:
    return None


spawn._fixup_main_from_path = _skip_main_fixup
