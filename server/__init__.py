"""The imperative shell: HTTP and WebSocket over Starlette, the event store on Redis."""
