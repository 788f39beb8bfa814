"""Template tags of the designer pages: presentation only, no access decisions (those are in access.py)."""
