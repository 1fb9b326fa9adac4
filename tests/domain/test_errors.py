"""What domain errors carry besides their kind."""

from domain.errors import CorbadoUnavailable


def test_an_unavailable_corbado_is_retried_later_only_when_the_adapter_says_so() -> None:
    failed = CorbadoUnavailable("Corbado answered /v2/users with HTTP 500")
    assert (str(failed), failed.retry_later) == ("Corbado answered /v2/users with HTTP 500", False)
    assert CorbadoUnavailable("Corbado rate limit reached", retry_later=True).retry_later
