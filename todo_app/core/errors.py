"""Domain errors. Each carries a sentence fit to show a person as it is."""


class DomainError(Exception):
    """Base class: ``str(error)`` is a human sentence."""


class ValidationError(DomainError):
    """The input breaks a rule; nothing was changed."""


class NotFoundError(DomainError):
    """The thing does not exist, or belongs to someone else (we don't say which)."""


class AuthenticationError(DomainError):
    """Wrong credentials, or a token that is missing, forged or expired."""


class ConflictError(DomainError):
    """The change collides with existing data (e.g. an email already in use)."""
