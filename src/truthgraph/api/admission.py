"""Back-pressure: a bound on inference requests in flight; past it, 503 with Retry-After."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from truthgraph.api.errors import Overloaded


class AdmissionGate:
    """Admits at most ``max_in_flight`` requests at once; the next one gets ``Overloaded``.

    >>> gate = AdmissionGate(max_in_flight=1, retry_after_s=2)
    >>> with gate.admit():
    ...     gate.in_flight
    1
    """

    def __init__(
        self,
        max_in_flight: int,
        retry_after_s: float,
        on_reject: Callable[[], None] | None = None,
    ) -> None:
        self.max_in_flight = max_in_flight
        self.retry_after_s = retry_after_s
        self._on_reject = on_reject
        self._in_flight = 0
        self._lock = threading.Lock()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @contextmanager
    def admit(self, weight: int = 1) -> Iterator[None]:
        """Hold ``weight`` places for the duration; raise ``Overloaded`` if they are not free
        (a request heavier than the whole queue is admitted when the queue is empty)."""
        with self._lock:
            if self._in_flight and self._in_flight + weight > self.max_in_flight:
                if self._on_reject is not None:
                    self._on_reject()
                raise Overloaded(
                    f"the server is busy ({self._in_flight} requests queued); retry shortly",
                    self.retry_after_s,
                )
            self._in_flight += weight
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= weight
