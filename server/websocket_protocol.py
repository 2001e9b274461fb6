"""uvicorn's sans-I/O WebSocket protocol, with reads paused only once messages pile up.

uvicorn stops reading a connection after every message it hands to the app and starts again
when the app takes it: two epoll registrations per message, about 8 % of the server's time
while fifty drafters type. This protocol stops reading only when the app is PAUSE_AFTER
messages behind, or takes a large one; what a flooding client can make the server hold stays
bounded (under PAUSE_AFTER small messages and one large), as before.
"""

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

PAUSE_AFTER = 16
LARGE_MESSAGE_BYTES = 64 * 1024


class WebSocketProtocol(WebSocketsSansIOProtocol):
    def send_receive_event_to_app(self) -> None:
        size = sum(len(frame) for frame in self.frames)
        paused, self.read_paused = self.read_paused, True  # uvicorn pauses unless already paused
        try:
            super().send_receive_event_to_app()
        finally:
            self.read_paused = paused
        # uvicorn's `receive` resumes reading once the app has taken every message queued.
        if not paused and (size >= LARGE_MESSAGE_BYTES or self.queue.qsize() >= PAUSE_AFTER):
            self.read_paused = True
            self.transport.pause_reading()
