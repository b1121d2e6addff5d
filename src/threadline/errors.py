"""Errors the core raises. Adapters turn them into exit codes or HTTP statuses."""


class ThreadlineError(Exception):
    """Base class: a problem the user can act on, with a clear message."""


class ValidationError(ThreadlineError):
    """Input does not satisfy a rule (missing purpose, bad name …)."""


class NotFound(ThreadlineError):
    """A named thing (case, source, record) does not exist."""


class Conflict(ThreadlineError):
    """The thing already exists or the operation clashes with stored state."""


class Forbidden(ThreadlineError):
    """The acting user may not do this to this case (role, membership, review or approval)."""
