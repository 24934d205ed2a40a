"""Back-pressure: a bound on inference requests in flight; past it, 503 with Retry-After.

The bound is the smaller of a fixed depth and what the server drains in ``max_wait_s`` at its
measured rate, so that a request let in is answered within about ``max_wait_s`` on any CPU,
and a request turned away is told, in ``Retry-After``, when the queue it saw will have drained.
Turned-away requests are spread over the drain time: each one is given the next free slot
after the queue and the requests turned away before it, one slot per request the server
drains, so a crowd turned away together does not come back together.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from truthgraph.api.error_responses import Overloaded

RATE_WINDOW_S = 10.0
"""Completions counted for the drain rate: the last this many seconds."""
MIN_COMPLETIONS = 20
"""Completions in the window before the measured rate bounds the queue."""
MAX_RETRY_AFTER_S = 60


class AdmissionGate:
    """Admits at most ``max_in_flight`` requests at once, and no more than the server drains in
    ``max_wait_s`` at its rate over the last ``RATE_WINDOW_S`` (once it has one); the next one
    gets ``Overloaded`` with a Retry-After of the time the queue needs to drain (at least
    ``retry_after_s``).

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
        max_wait_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_in_flight = max_in_flight
        self.retry_after_s = retry_after_s
        self.max_wait_s = max_wait_s
        self._on_reject = on_reject
        self._clock = clock
        self._in_flight = 0
        self._done: deque[float] = deque()
        self._next_slot = 0.0  # when the last request turned away was told to come back
        self._lock = threading.Lock()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def drain_rate(self) -> float | None:
        """Requests finished per second over the last ``RATE_WINDOW_S`` (None: too few yet)."""
        with self._lock:
            return self._rate(self._clock())

    def _rate(self, now: float) -> float | None:
        while self._done and self._done[0] < now - RATE_WINDOW_S:
            self._done.popleft()
        if len(self._done) < MIN_COMPLETIONS:
            return None
        span = max(now - self._done[0], 1.0)
        return len(self._done) / span

    def limit(self, rate: float | None) -> int:
        """The queue bound at drain ``rate``: the fixed depth, or less where the rate says the
        last request in would wait longer than ``max_wait_s``."""
        if rate is None or self.max_wait_s is None:
            return self.max_in_flight
        return max(1, min(self.max_in_flight, int(rate * self.max_wait_s)))

    def enter(self, weight: int = 1) -> None:
        """Take ``weight`` places, or raise ``Overloaded`` if they are not free (a request
        heavier than the whole queue is admitted when the queue is empty); ``leave`` gives
        them back."""
        with self._lock:
            now = self._clock()
            rate = self._rate(now)
            if self._in_flight and self._in_flight + weight > self.limit(rate):
                if self._on_reject is not None:
                    self._on_reject()
                raise Overloaded(
                    f"the server is busy ({self._in_flight} requests queued); retry shortly",
                    self._retry_after(now, rate, weight),
                )
            self._in_flight += weight

    def _retry_after(self, now: float, rate: float | None, weight: int) -> int:
        """Seconds until this turned-away request's slot: after the queue has drained and
        after the slots of those turned away before it (without a measured rate, the fixed
        ``retry_after_s``)."""
        if not rate:
            return max(1, math.ceil(self.retry_after_s))
        slot = max(now + self._in_flight / rate, self._next_slot)
        self._next_slot = min(slot + weight / rate, now + MAX_RETRY_AFTER_S)
        wait = max(self.retry_after_s, math.ceil(slot - now))
        return int(min(MAX_RETRY_AFTER_S, wait))

    def leave(self, weight: int = 1) -> None:
        """Give back ``weight`` places taken by ``enter``; they count as drained."""
        with self._lock:
            self._in_flight -= weight
            self._done.extend([self._clock()] * weight)

    @contextmanager
    def admit(self, weight: int = 1) -> Iterator[None]:
        """Hold ``weight`` places for the duration (``enter``, then ``leave``)."""
        self.enter(weight)
        try:
            yield
        finally:
            self.leave(weight)
