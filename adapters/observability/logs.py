"""One logging pipeline for everything: our code, Litestar, granian, httpx, SQLAlchemy.

Every record, whether from the standard library's `logging` or from a structlog logger, goes
through the same structlog processors: the request context (`request_id`, `client_ip`) from
contextvars, the record's `extra` fields, the formatted traceback, then redaction
(`redaction.py`), then JSON (or, for `dev` on a terminal, a console line). Redaction runs after
the traceback is formatted, so exception messages and tracebacks are masked too.

In a serving worker, log records leave the request path (`QueuedLogging`, the logging
cookbook's queue handler and listener): the request's task only copies the record, with its
message and the request's context (`request_id`, `client_ip`, `trace_id` from structlog's
contextvars), onto a queue; a listener thread renders each and writes it. Closing the handler
stops the listener after everything enqueued is written, and a record logged after that is
written at once by the caller: nothing is lost at shutdown, or after it.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import queue
import sys
from collections.abc import Mapping, MutableMapping
from logging.handlers import QueueHandler, QueueListener
from typing import Any, TextIO

import msgspec
import structlog
from structlog.typing import Processor

from adapters.observability.redaction import redact_event


class QueuedLogging(QueueHandler):
    """The root logger's handler when records are written by a thread of their own."""

    def __init__(self, writer: logging.Handler) -> None:
        records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        super().__init__(records)
        self.writer = writer
        self._listener = QueueListener(records, writer, respect_handler_level=True)
        self._listener.start()
        self._closing = False

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        # The context lives in this task's contextvars, which the listener cannot see; the
        # message is formatted now, while its arguments are still what they were.
        prepared = copy.copy(record)
        if not isinstance(record.msg, dict):  # structlog's own events carry their context
            prepared.msg = record.getMessage()
            prepared.args = None
            fields = prepared.__dict__
            for key, value in structlog.contextvars.get_contextvars().items():
                fields.setdefault(key, value)
        return prepared

    def emit(self, record: logging.LogRecord) -> None:
        # `handle` calls this under the handler's lock, under which `close` also queues the
        # listener's stop sentinel: a record is either queued before it or written here.
        if self._closing:
            self.writer.handle(self.prepare(record))
        else:
            super().emit(record)

    @property
    def writing(self) -> bool:
        """Whether the listener thread still runs (until `close`)."""
        return self._listener._thread is not None

    def close(self) -> None:
        """Write what is queued, stop the listener thread; idempotent."""
        with self.lock or contextlib.nullcontext():
            stopping = not self._closing
            self._closing = True
            if stopping:
                self._listener.enqueue_sentinel()
        # Joined without the lock: a record logged meanwhile (by the writer itself, say) must
        # not wait for a lock held by the one waiting for the listener.
        thread = self._listener._thread
        if stopping and thread is not None:
            thread.join()
            self._listener._thread = None
        super().close()


_HANDLER_NAME = "connect_backend"
# Record attributes that only repeat others: a server's coloured copy of the message, and what
# another handler's `logging.Formatter` (pytest's, say) stored on the record before ours ran.
_DROPPED_EXTRAS = ("color_message", "message", "asctime")
QUIET_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING}


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (tests swap it), unless given a stream."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream)
        self._fixed = stream

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = self._fixed or sys.stderr
        super().emit(record)


def _drop_extras(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> Mapping[str, Any]:
    for key in _DROPPED_EXTRAS:
        event_dict.pop(key, None)
    return event_dict


def configure_logging(
    *,
    json: bool = True,
    level: int = logging.INFO,
    stream: TextIO | None = None,
    queued: bool = False,
) -> logging.Handler:
    """Route all logging through structlog into one handler on the root logger; idempotent.

    `json=False` renders plain console lines (for `dev` on a terminal). `queued=True` renders
    and writes in a listener thread (`QueuedLogging`, what a serving worker does); closing the
    returned handler then writes what is queued. Returns the handler, so a test can remove it.
    """
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _drop_extras,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer(serializer=_json_line)
        if json
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=_plain)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_event,
            renderer,
        ],
    )
    writer = _CurrentStderr(stream)
    writer.setFormatter(formatter)
    handler: logging.Handler = QueuedLogging(writer) if queued else writer
    handler.set_name(_HANDLER_NAME)

    # What the logging HOWTO's "Optimization" section switches off when no line shows it: the
    # caller's file and line (a stack walk per record), thread and process names.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False

    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
            existing.close()
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet_level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet_level)
    structlog.configure(
        processors=[
            *shared[:2],
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    return handler


def _json_line(event: Any, **_: Any) -> str:
    # msgspec renders a line in a tenth of the standard library's time; what it cannot encode
    # (an exception object, a path) becomes its str(). What msgspec refuses outright (a lone
    # surrogate from a client, an integer beyond 64 bits, a non-string key) still gets a line,
    # from the standard library: a failed render would print the raw, unredacted record.
    try:
        return _ENCODER.encode(event).decode("utf-8")
    except (UnicodeEncodeError, TypeError, ValueError, OverflowError, msgspec.EncodeError):
        return json.dumps(event, default=str)


_ENCODER = msgspec.json.Encoder(enc_hook=str)


def _plain(sio: TextIO, exc_info: Any) -> None:
    # The traceback is already text (format_exc_info ran, then redaction); print it as it is.
    sio.write("\n" + str(exc_info))
