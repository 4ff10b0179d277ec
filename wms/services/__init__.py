"""Use cases: one function each; they own the transaction (the unit of work)."""
