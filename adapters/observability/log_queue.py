"""Log records leave the request path: the logging cookbook's queue handler and listener.

The request's task only copies the record, with its message and the request's context
(`request_id`, `client_ip`, `trace_id` from structlog's contextvars), onto a queue; a listener
thread renders each (structlog's processors, redaction, JSON) and writes it. Closing the handler
stops the listener after everything enqueued is written, and a record logged after that is
written at once by the caller: nothing is lost at shutdown, or after it.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import queue
from logging.handlers import QueueHandler, QueueListener

import structlog


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
