"""The few purpose-named exceptions; they are caught only at boundaries (CLI, receivers, worker)."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base of every error the connector raises on purpose."""


class ConfigError(ConnectorError):
    """A config or mapping file is wrong; the message names the file, the key and the fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))

    @classmethod
    def at(cls, file: str, key: str, problem: str, fix: str = "") -> ConfigError:
        """Build an error for one key of one file."""
        return cls([format_problem(file, key, problem, fix)])


def format_problem(file: str, key: str, problem: str, fix: str = "") -> str:
    """Render `file: key: problem — fix` the same way everywhere."""
    text = f"{file}: {key or '<top level>'}: {problem}"
    return f"{text} — {fix}" if fix else text


class PayloadError(ConnectorError):
    """A webhook body is not what its sender documents: a 4xx with a one-line reason."""

    def __init__(self, reason: str, status: int = 422) -> None:
        self.reason = reason
        self.status = status
        super().__init__(reason)


class ActionError(ConnectorError):
    """An outbox action could not be performed."""


class RetryableActionError(ActionError):
    """A transient failure (connection, 5xx, 429): the outbox retries with backoff."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(reason)


class NotYetError(RetryableActionError):
    """The action waits for another of ours (a room not open yet): retried, but the service
    did nothing wrong, so its circuit breaker does not count it."""


class PermanentActionError(ActionError):
    """The service refused the action for good (a 4xx other than 429): recorded as failed."""


class StoreError(ConnectorError):
    """The store refused a write or cannot be reached (a driver error on the raw path)."""
