"""Management commands of the designer: set-up steps that `make run` performs (idempotent)."""
