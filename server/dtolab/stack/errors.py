"""Errors of the stack launcher; each message names the cause and the fix."""

from ..errors import DtolabError


class StackError(DtolabError):
    """The embedded stack cannot start or stop; the message says why and what to do."""
