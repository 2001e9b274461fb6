"""A token bucket: how a live connection's message rate, and a user's requests and bytes
written, are kept within bounds."""

import time
from collections.abc import Callable

from events.errors import DomainError


class RateLimited(DomainError):
    """`rate_limited`, with how many whole seconds to wait before the same request can pass:
    HTTP says it in a Retry-After header."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__("rate_limited", message)
        self.retry_after = retry_after


class RateLimit:
    """Allows `rate` units a second on average and `burst` at once; beyond, refuses until
    the bucket refills. Refusing costs nothing, so a flood cannot make the limit expensive.

    A unit is a message, a request or a byte. What was spent before it could be weighed (a
    request body, counted as it is read) may leave the bucket in debt: the next costs wait
    until it is paid back."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def _refill(self) -> float:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        return self._tokens

    def wait(self, cost: float = 1) -> float:
        """Seconds until `cost` can be spent; 0 if now. A cost larger than the burst passes
        on a full bucket (and leaves it in debt), so that nothing is refused for ever."""
        missing = min(cost, self.burst) - self._refill()
        return max(0.0, missing / self.rate)

    def allow(self, cost: float = 1) -> bool:
        if self.wait(cost) > 0:
            return False
        self._tokens -= cost
        return True

    def spend(self, cost: float) -> None:
        """Spend what was already used, allowed or not (the bucket may go into debt)."""
        self._refill()
        self._tokens -= cost

    def change(self, rate: float, burst: float) -> None:
        """New limits, from now on: what was refilled so far counts at the old rate. A larger
        burst is there at once (what was spent of the old one stays spent); a smaller one
        caps what is left."""
        if (rate, burst) != (self.rate, self.burst):
            self._refill()
            self._tokens = min(burst, self._tokens + max(0.0, burst - self.burst))
            self.rate, self.burst = rate, burst

    def idle(self) -> bool:
        """Full again: the bucket is then the same as a new one, and may be forgotten."""
        return self._tokens + (self._clock() - self._at) * self.rate >= self.burst
