// The browser's live session while the server's Redis is away: a refusal (an `error`, then
// close 1013) right after each opening makes the retries back off further each time; a
// connection that was served starts the backoff afresh; a command answered `redis_unavailable`
// stays pending and is sent again, with its command id, on the next connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';

/** A WebSocket the test opens, feeds and closes by hand. */
class FakeSocket {
  static OPEN = 1;
  static opened = [];

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.listeners = {};
    FakeSocket.opened.push(this);
  }

  addEventListener(type, listener) { (this.listeners[type] ??= []).push(listener); }
  send(data) { this.sent.push(JSON.parse(data)); }
  close() {}
  fire(type, event) { for (const listener of this.listeners[type] ?? []) listener(event); }
  open() { this.readyState = FakeSocket.OPEN; this.fire('open', {}); }
  message(message) { this.fire('message', { data: JSON.stringify(message) }); }
  closeWith(code) { this.readyState = 3; this.fire('close', { code, reason: '' }); }
}

globalThis.WebSocket = FakeSocket;
globalThis.window = { addEventListener() {}, removeEventListener() {} };
Object.defineProperty(globalThis, 'location', { value: { protocol: 'http:', host: 'localhost' }, configurable: true });
Object.defineProperty(globalThis, 'navigator', { value: { onLine: true }, configurable: true });
const { LiveSession } = await import('../../client/web/live.js');

const UNAVAILABLE = { type: 'error', command_id: null, code: 'redis_unavailable', message: 'the store does not answer' };

function session() {
  const live = new LiveSession('r-1', { onSnapshot() {}, onEvent() {} });
  live.start();
  return live;
}

/** The session's next connection, now rather than after its timer. */
function reconnect(live) {
  clearTimeout(live.timer);
  live.connect();
  return FakeSocket.opened.at(-1);
}

function refusedAtOnce(socket) {
  socket.open();
  socket.message(UNAVAILABLE);
  socket.closeWith(1013);
}

test('connections refused with 1013 as soon as they open back off further each time', () => {
  const live = session();
  const delays = [];
  refusedAtOnce(FakeSocket.opened.at(-1));
  delays.push(live.delay);
  for (let n = 0; n < 6; n += 1) {
    refusedAtOnce(reconnect(live));
    delays.push(live.delay);
  }
  const retrying = live.state;
  live.stop();
  assert.deepEqual(delays, [200, 400, 800, 1600, 3000, 3000, 3000]);
  assert.equal(retrying, 'unavailable', 'the drafter is told why');
});

test('a connection that was served starts the backoff afresh', () => {
  const live = session();
  refusedAtOnce(FakeSocket.opened.at(-1));
  refusedAtOnce(reconnect(live));
  assert.equal(live.delay, 400);
  const served = reconnect(live);
  served.open();
  served.message({ type: 'snapshot', version: 3, report: {} });
  served.closeWith(1006);
  live.stop();
  assert.equal(live.delay, 200);
});

test('a command answered redis_unavailable stays pending and is sent again on the next connection', async () => {
  const live = session();
  const first = FakeSocket.opened.at(-1);
  first.open();
  first.message({ type: 'snapshot', version: 3, report: {} });
  let settled = null;
  const acked = live.send({ type: 'AddChapter', title: 'I' }, 'c-1');
  acked.then((version) => { settled = ['acked', version]; }, (error) => { settled = ['refused', error.code]; });
  first.message({ type: 'error', command_id: 'c-1', code: 'redis_unavailable', message: 'resend it' });
  first.closeWith(1013);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(settled, null);
  assert.equal(live.pending.size, 1);

  const second = reconnect(live);
  assert.match(second.url, /after=3/);
  second.open();
  assert.deepEqual(second.sent.filter((m) => m.type === 'command').map((m) => m.command_id), ['c-1']);
  second.message({ type: 'ack', command_id: 'c-1', version: 4 });
  assert.equal(await acked, 4);
  live.stop();
});

/** A session that was editing at version 3 when Redis went away (`redis_unavailable`, 1013);
 * `states`: every state the drafter was told. */
function cutOffAtVersion3(states) {
  const live = new LiveSession('r-1', { onSnapshot() {}, onEvent() {}, onStatus: (state) => states.push(state) });
  live.start();
  const first = FakeSocket.opened.at(-1);
  first.open();
  first.message({ type: 'snapshot', version: 3, report: {} });
  first.message(UNAVAILABLE);
  first.closeWith(1013);
  return live;
}

test('the drafter is told "unavailable" until a connection is served, not "connected" at each opening', () => {
  const states = [];
  const live = cutOffAtVersion3(states);
  const refused = states.length - 1;
  refusedAtOnce(reconnect(live));
  refusedAtOnce(reconnect(live));
  const served = reconnect(live);
  served.open();
  const opened = live.state;
  served.message({ type: 'snapshot', version: 3, report: {} });
  live.stop();
  const told = states.slice(refused).filter((state, n, all) => state !== all[n - 1]); // each change once
  assert.deepEqual(told, ['unavailable', 'connected', 'closed']);
  assert.equal(opened, 'unavailable', 'an opening is not yet a service');
});

test('a connection resumed after a 1013 that is told nothing is "connected" once it has lasted', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const live = cutOffAtVersion3([]);
  const resumed = reconnect(live); // ?after=3: nothing new, and no one else here
  resumed.open();
  assert.equal(live.state, 'unavailable');
  t.mock.timers.tick(2000);
  assert.equal(live.state, 'connected', 'a connection that lasts was served, though nothing came on it');
  live.stop();
});
