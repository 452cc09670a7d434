"""Reflex only: thin states, components and pages."""
