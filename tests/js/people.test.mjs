// The editor names drafters by their display name (GET /api/people), asks again when an id it
// does not know appears, and shows an id nobody knows (an event from before accounts) as itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { People } from '../../client/web/people.js';

/** The server's answer to GET /api/people, which the test changes as users are added. */
function directory(names) {
  const server = { names, asked: 0 };
  server.api = { people: async () => { server.asked += 1; return { ...server.names }; } };
  return server;
}

test('an id is shown by its name once the names are loaded, and listeners hear of it', async () => {
  const server = directory({ 'u-1': 'Alice Martin' });
  const people = new People(server.api);
  let heard = 0;
  people.onChange(() => { heard += 1; });
  await people.load();
  assert.equal(people.nameOf('u-1'), 'Alice Martin');
  assert.equal(heard, 1);
  assert.equal(server.asked, 1);
});

test('an unknown id asks the server again, once, and a user created meanwhile gets a name', async () => {
  const server = directory({ 'u-1': 'Alice Martin' });
  const people = new People(server.api);
  await people.load();
  server.names['u-2'] = 'Bruno Costa';
  assert.equal(people.nameOf('u-2'), 'u-2'); // shown as itself until the answer comes
  assert.equal(people.nameOf('u-2'), 'u-2');
  await people.fetching;
  assert.equal(people.nameOf('u-2'), 'Bruno Costa');
  assert.equal(server.asked, 2);
});

test('an actor nobody knows (an old event) stays itself and is not asked about twice', async () => {
  const server = directory({ 'u-1': 'Alice Martin' });
  const people = new People(server.api);
  await people.load();
  assert.equal(people.nameOf('Secrétariat'), 'Secrétariat');
  await people.fetching;
  assert.equal(people.nameOf('Secrétariat'), 'Secrétariat');
  assert.equal(people.fetching, null);
  assert.equal(server.asked, 2);
});

test('an id missed while an answer is on its way is asked about again', async () => {
  const server = directory({ 'u-1': 'Alice Martin' });
  const people = new People(server.api);
  const first = people.load(); // asked before u-3 exists
  server.names['u-3'] = 'Chiara Rossi';
  assert.equal(people.nameOf('u-3'), 'u-3');
  await first;
  assert.equal(people.nameOf('u-3'), 'Chiara Rossi');
});

test('a server that cannot be reached leaves the ids shown, without throwing', async () => {
  const people = new People({ people: async () => { throw new Error('offline'); } });
  await people.load();
  assert.equal(people.nameOf('u-1'), 'u-1');
});
