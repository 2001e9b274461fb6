"""Another user's waits: while something costly runs on a server, how long do they wait?"""

import threading
import time

import httpx


class OtherUser:
    """`with OtherUser(url, headers) as other:` asks the server for `path` every 20 ms in a
    thread of its own until the block ends; `other.worst` is its longest wait for an answer
    (a request on the event loop's path: a stalled loop shows in it)."""

    def __init__(self, url: str, headers: dict[str, str], path: str = "/api/me") -> None:
        self._url, self._headers, self._path = url, headers, path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self.worst = 0.0
        self.answers = 0
        self.failures = 0

    def _poll(self) -> None:
        with httpx.Client(base_url=self._url, headers=self._headers, timeout=120) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                if client.get(self._path).status_code != 200:
                    self.failures += 1
                self.worst = max(self.worst, time.monotonic() - started)
                self.answers += 1
                self._stop.wait(0.02)

    def __enter__(self) -> "OtherUser":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
