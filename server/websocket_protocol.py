"""uvicorn's sans-I/O WebSocket protocol, with reads paused only once messages pile up.

uvicorn stops reading a connection after every message it hands to the app and starts again
when the app takes it: two epoll registrations per message, about 8 % of the server's time
while drafters type. This protocol stops reading only when the app is PAUSE_AFTER messages
or PAUSE_AFTER_BYTES behind; what a flooding client can make the server hold stays bounded.
"""

from uvicorn._types import ASGIReceiveEvent
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

PAUSE_AFTER = 16
PAUSE_AFTER_BYTES = 1024 * 1024


class WebSocketProtocol(WebSocketsSansIOProtocol):
    _unread = 0  # bytes received since the app last took every message queued

    def data_received(self, data: bytes) -> None:
        self._unread += len(data)
        super().data_received(data)

    def send_receive_event_to_app(self) -> None:
        paused, self.read_paused = self.read_paused, True  # uvicorn pauses unless already paused
        try:
            super().send_receive_event_to_app()
        finally:
            self.read_paused = paused
        # uvicorn's `receive` resumes reading once the app has taken every message queued.
        if not paused and (self.queue.qsize() >= PAUSE_AFTER or self._unread >= PAUSE_AFTER_BYTES):
            self.read_paused = True
            self.transport.pause_reading()

    async def receive(self) -> ASGIReceiveEvent:
        message = await super().receive()
        if self.queue.empty():
            self._unread = 0
        return message
