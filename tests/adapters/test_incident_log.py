"""A failing dependency is logged once as it starts failing and once as it is back."""

import itertools
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.incident_log import SETTLE_S, IncidentLog

LOGGER = "connect_backend.test_incidents"


class Timer:
    """Monotonic seconds that move only when the test moves them."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Keeping(logging.Handler):
    """Keeps every record (caplog cannot be used under hypothesis: one fixture, many examples)."""

    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def incident_log(timer: Timer) -> IncidentLog:
    return IncidentLog(
        logging.getLogger(LOGGER), failing="store failing", recovered="store back", timer=timer
    )


def lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == LOGGER]


def test_an_incident_is_one_line_as_it_starts_and_one_as_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    timer = Timer()
    incidents = incident_log(timer)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert not incidents.failing
        for _ in range(1000):
            incidents.failed(ConnectionError("pool exhausted"))
            timer.now += 0.001
        assert incidents.failing
        timer.now += SETTLE_S
        incidents.answered()
        incidents.answered()
    assert not incidents.failing
    assert lines(caplog) == [
        (logging.ERROR, "store failing: pool exhausted"),
        (logging.INFO, "store back after 11 s (1000 failed calls)"),
    ]
    [ended] = [r for r in caplog.records if r.levelno == logging.INFO]
    assert vars(ended)["failed_calls"] == 1000
    assert all(r.exc_info is None for r in caplog.records)


def test_answers_between_failures_do_not_end_the_incident(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Under overload a pool refuses some checkouts and serves others, many times a second.
    timer = Timer()
    incidents = incident_log(timer)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        for _ in range(50):
            incidents.failed(ConnectionError("busy"))
            timer.now += SETTLE_S / 2
            incidents.answered()
    assert lines(caplog) == [(logging.ERROR, "store failing: busy")]
    assert incidents.failing


def test_the_incident_ends_exactly_when_the_dependency_settled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    timer = Timer()
    incidents = incident_log(timer)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        incidents.failed(ConnectionError("down"))
        timer.now += SETTLE_S - 0.001
        incidents.answered()
        assert incidents.failing
        timer.now += 0.001
        incidents.answered()
    assert not incidents.failing
    assert lines(caplog)[-1] == (logging.INFO, "store back after 10 s (1 failed calls)")


def test_answers_without_an_incident_log_nothing(caplog: pytest.LogCaptureFixture) -> None:
    incidents = incident_log(Timer())
    with caplog.at_level(logging.INFO, logger=LOGGER):
        incidents.answered()
    assert lines(caplog) == []


def test_a_failure_after_recovery_opens_a_new_incident(caplog: pytest.LogCaptureFixture) -> None:
    timer = Timer()
    incidents = incident_log(timer)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        incidents.failed(ConnectionError("first"))
        timer.now += SETTLE_S
        incidents.answered()
        incidents.failed(ConnectionError("second"))
        incidents.failed(ConnectionError("second again"))
    assert lines(caplog) == [
        (logging.ERROR, "store failing: first"),
        (logging.INFO, "store back after 10 s (1 failed calls)"),
        (logging.ERROR, "store failing: second"),
    ]


def test_a_failure_long_after_the_last_one_opens_a_new_incident_unasked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Where nothing reports answers (requests let through uncounted), quiet ends an incident.
    timer = Timer()
    incidents = incident_log(timer)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        incidents.failed(ConnectionError("first"))
        timer.now += SETTLE_S - 0.001
        incidents.failed(ConnectionError("same incident"))
        timer.now += SETTLE_S
        incidents.failed(ConnectionError("a new one"))
        timer.now += SETTLE_S
        incidents.answered()
    assert lines(caplog) == [
        (logging.ERROR, "store failing: first"),
        (logging.ERROR, "store failing: a new one"),
        (logging.INFO, "store back after 10 s (1 failed calls)"),
    ]


@given(gaps=st.lists(st.floats(0, 3 * SETTLE_S), max_size=40))
def test_every_line_opens_or_closes_an_incident_in_turn(gaps: list[float]) -> None:
    # Whatever the timing of failures and answers, lines alternate sensibly: an end only after
    # a start, and never two ends in a row.
    timer = Timer()
    records: list[logging.LogRecord] = []
    logger = logging.getLogger(f"{LOGGER}.property")
    handler = Keeping(records)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        incidents = IncidentLog(logger, failing="f", recovered="r", timer=timer)
        for index, gap in enumerate(gaps):
            timer.now += gap
            if index % 3 == 2:
                incidents.answered()
            else:
                incidents.failed(ConnectionError("x"))
    finally:
        logger.removeHandler(handler)
    levels = [r.levelno for r in records]
    assert levels[:1] in ([], [logging.ERROR])
    assert all(
        not (before == after == logging.INFO) for before, after in itertools.pairwise(levels)
    )
    # Only a start line opens an incident, and only an end line closes it.
    assert incidents.failing == (bool(levels) and levels[-1] == logging.ERROR)
