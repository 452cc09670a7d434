"""The domain: models and services. Nothing in this package imports Reflex."""
