"""HTTP surface of the backend beside Reflex's own routes (no Reflex state here)."""
