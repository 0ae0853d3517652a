"""The state types of Amazon States Language, one module each (see ``state_types`` for the table)."""
