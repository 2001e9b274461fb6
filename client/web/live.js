/* One live WebSocket to a report (README.md, "Live WebSocket"), kept open across drops.
 *
 * The first connection gets a snapshot; a reconnection asks for the events `?after=` the
 * version already held, so every event arrives exactly once and in order. Every command sent
 * stays pending until its `ack` (or `error`) and is sent again, with the same command_id, on
 * each new connection: the server applies a command_id once, so a retry never doubles an edit.
 * Presence is ephemeral: the latest one is sent again after a reconnection.
 *
 * The connection names no one: the browser sends the session cookie with the handshake, and
 * the server stamps the signed-in user into every event. A refusal to connect says why in an
 * `error` message, then closes with 4401 (not signed in), 4403 (forbidden), 4404 (no such
 * report) or 4500 (`corrupt_event`: an event of the report cannot be read): those are final,
 * the others are dropped connections and are retried.
 *
 * While the server's Redis is away, it says `redis_unavailable` and closes with 1013 (try again
 * later): a command so answered stays pending and is sent again. Retries back off (doubling,
 * with jitter, up to MAX_DELAY_MS) and start afresh only after a connection that was served:
 * one that brought something other than an error, or stayed open SERVED_AFTER_MS. */
import { newId } from './dom.js';

const FINAL_CLOSE_CODES = new Set([4401, 4403, 4404, 4500]);
const UNAVAILABLE = 'redis_unavailable';
const TRY_AGAIN_LATER = 1013; // the close that follows it
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 3000;
const SERVED_AFTER_MS = 2000;

export class CommandError extends Error {
  constructor(code, message, commandId) {
    super(message);
    this.code = code;
    this.commandId = commandId;
  }
}

export class LiveSession {
  /** handlers: onSnapshot(report, version), onEvent(event), onAck(commandId, version),
   * onPresence(message), onPresenceLeft(message), onStatus(state), onFatal(error), onOpen() */
  constructor(reportId, handlers) {
    this.reportId = reportId;
    this.handlers = handlers;
    this.version = null; // none until the snapshot
    this.pending = new Map(); // command_id -> {message, resolve, reject}, in the order sent
    this.presence = { type: 'presence', paragraph_id: null, cursor: null }; // announced on connecting
    this.socket = null;
    this.stopped = true;
    this.delay = FIRST_DELAY_MS;
    this.timer = null;
    this.openedAt = null; // when the current connection opened, if it did
    this.served = false; // the current connection brought something other than an error
    this.refusal = null; // why the server is refusing this connection, said before it closes it
    this.refusalCode = null;
    this.goOffline = () => this.socket?.close(1000, 'offline');
    this.goOnline = () => this.reconnectNow();
  }

  start() {
    this.stopped = false;
    window.addEventListener('offline', this.goOffline);
    window.addEventListener('online', this.goOnline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.servedTimer);
    window.removeEventListener('offline', this.goOffline);
    window.removeEventListener('online', this.goOnline);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'closed');
    this.status('closed');
  }

  get connected() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Send a command; resolves with the ack's version, rejects with a CommandError. */
  send(command, commandId = newId(), expectedVersion = undefined) {
    const message = { type: 'command', command_id: commandId, command };
    if (expectedVersion !== undefined) message.expected_version = expectedVersion;
    return new Promise((resolve, reject) => {
      this.pending.set(commandId, { message, resolve, reject });
      if (this.connected) this.socket.send(JSON.stringify(message));
      this.status(this.state);
    });
  }

  sendPresence(paragraphId, cursor) {
    this.presence = { type: 'presence', paragraph_id: paragraphId ?? null, cursor: paragraphId ? cursor ?? null : null };
    if (this.connected) this.socket.send(JSON.stringify(this.presence));
  }

  reconnectNow() {
    if (this.stopped || this.socket) return;
    clearTimeout(this.timer);
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    // batch=1: events appended together arrive in one `events` message.
    const after = this.version === null ? '' : `&after=${this.version}`;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/reports/${this.reportId}/live?batch=1${after}`);
    this.socket = socket;
    this.openedAt = null;
    this.served = false;
    // After a 1013, what the drafter is told stays "unavailable" until a connection is served.
    this.status(this.version === null ? 'connecting' : this.state === 'unavailable' ? 'unavailable' : 'reconnecting');
    socket.addEventListener('open', () => this.opened(socket));
    socket.addEventListener('message', (message) => {
      if (this.socket === socket) this.receive(JSON.parse(message.data));
    });
    socket.addEventListener('close', (event) => this.closed(socket, event));
  }

  opened(socket) {
    if (this.socket !== socket) return;
    this.openedAt = Date.now();
    this.refusal = this.refusalCode = null; // a refusal is said on the connection it closes
    for (const { message } of this.pending.values()) socket.send(JSON.stringify(message));
    socket.send(JSON.stringify(this.presence));
    // While Redis is away, a connection opens and is refused at once: not yet "connected".
    if (this.state !== 'unavailable') this.status('connected');
    // A connection still open SERVED_AFTER_MS later was served, though nothing came on it (a
    // resumed one, ?after=, with nothing new and no one else here, is told nothing at all).
    clearTimeout(this.servedTimer);
    this.servedTimer = setTimeout(() => { if (this.socket === socket) this.serve(); }, SERVED_AFTER_MS);
    this.handlers.onOpen?.();
  }

  closed(socket, event) {
    if (this.socket !== socket) return;
    clearTimeout(this.servedTimer);
    this.socket = null;
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(event.code)) {
      this.stopped = true;
      this.status('closed');
      const code = this.refusalCode || event.reason || 'closed';
      this.handlers.onFatal?.(new CommandError(code, this.refusal || `the server closed the connection (${event.code})`));
      return;
    }
    this.status(!navigator.onLine ? 'offline' : event.code === TRY_AGAIN_LATER ? 'unavailable' : 'reconnecting');
    if (this.served || (this.openedAt !== null && Date.now() - this.openedAt >= SERVED_AFTER_MS)) {
      this.delay = FIRST_DELAY_MS; // it was served: this drop starts the backoff afresh
    }
    const wait = this.delay * (0.75 + Math.random() / 2);
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    this.timer = setTimeout(() => {
      if (navigator.onLine) this.connect();
      else this.status('offline'); // the 'online' event reconnects
    }, wait);
  }

  /** The current connection is served: after a 1013 the drafter is told "connected" again. */
  serve() {
    if (this.served) return;
    this.served = true;
    if (this.state === 'unavailable') this.status('connected');
  }

  /** The next event, in order: false when it cannot be taken (the connection starts over). */
  take(event) {
    if (event.version <= this.version) return true; // already held
    if (event.version !== this.version + 1) {
      this.socket?.close(1000, 'gap'); // cannot happen by the protocol; catch up again
      return false;
    }
    this.version = event.version;
    this.handlers.onEvent(event);
    return true;
  }

  receive(message) {
    if (message.type !== 'error') this.serve();
    switch (message.type) {
      case 'snapshot':
        this.version = message.version;
        this.handlers.onSnapshot(message.report, message.version);
        break;
      case 'event':
        this.take(message.event);
        break;
      case 'events': {
        let taken = true;
        for (const event of message.events) if (!(taken = this.take(event))) break;
        if (taken) for (const ack of message.acks ?? []) this.receive(ack);
        break;
      }
      case 'ack': {
        const pending = this.pending.get(message.command_id);
        this.pending.delete(message.command_id);
        this.handlers.onAck?.(message.command_id, message.version);
        pending?.resolve(message.version);
        this.status(this.state);
        break;
      }
      case 'error': {
        // redis_unavailable: the server closes the connection next (1013), and what is pending
        // (its command too) is sent again on the next one.
        const retried = message.command_id == null || message.code === UNAVAILABLE;
        const pending = retried ? undefined : this.pending.get(message.command_id);
        if (pending) {
          this.pending.delete(message.command_id);
          pending.reject(new CommandError(message.code, message.message, message.command_id));
          this.status(this.state);
        } else {
          this.refusal = message.message; // a refused connection says why before it closes
          this.refusalCode = message.code;
        }
        break;
      }
      case 'presence':
        this.handlers.onPresence?.(message);
        break;
      case 'presence_left':
        this.handlers.onPresenceLeft?.(message);
        break;
    }
  }

  status(state) {
    this.state = state;
    this.handlers.onStatus?.(state, this.pending.size);
  }
}
