"""Lessons and activities: documents (schema, validation, variants) and self-checking scores.

Pure Python like the rest of ``simcore``: a check reads a design document and a run's trace
events and console facts; nothing here knows about Django. See docs/lessons.md.
"""

from simcore.lessons.checks import RunRecord, Score, run_design, score
from simcore.lessons.documents import draw, instantiate, schema, substitute, validate

__all__ = ["RunRecord", "Score", "draw", "instantiate", "run_design", "schema", "score", "substitute", "validate"]
