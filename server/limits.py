"""A token bucket: how a live connection's message rate is kept within bounds."""

import time
from collections.abc import Callable


class RateLimit:
    """Allows `rate` events a second on average and `burst` at once; beyond, refuses until
    the bucket refills. Refusing costs nothing, so a flood cannot make the limit expensive."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def allow(self) -> bool:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False
