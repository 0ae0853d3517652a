"""The errors RFM Workflow Studio raises on purpose.

Each carries a message written for a person: what is wrong and what to do about it. Pages
show ``str(error)`` as it is; the command line prints it on stderr and exits with status 2.
"""


class StudioError(Exception):
    """Base class: an expected failure with a message fit to show the user."""


class DataError(StudioError):
    """The input data cannot be used: unreadable, wrong columns, unreachable, too large, empty."""


class WorkflowError(StudioError):
    """A workflow could not be built, deployed, launched or read back."""


class PreflightError(StudioError):
    """The AWS backend is not configured well enough to run; the message says how to fix it."""
