// The browser's co-editing of a paragraph (client/web/coedit.js): an edit refused "for now" is
// sent again made on the paragraph's latest revision, under the same command id, as the Python
// ParagraphEditor does; one refused for good gives the drafter the server's text back.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MAX_RETRIES, ParagraphSync } from '../../client/web/coedit.js';
import { apply } from '../../client/web/ot.js';

const TEXT = 'Le Groupe a examiné le point.';

/** A live session that answers each command when the test says so. */
class Session {
  constructor() {
    this.sent = [];
  }

  send(command, commandId) {
    return new Promise((resolve, reject) => this.sent.push({ command, commandId, resolve, reject }));
  }
}

function typing() {
  const paragraph = { id: 'p1', text: TEXT, revision: 3, authors: [['alice', TEXT.length]] };
  const session = new Session();
  const view = { remote: [], refusals: [], applyRemote(op) { this.remote.push(op); }, replace() {}, refused(error) { this.refusals.push(error); } };
  const sync = new ParagraphSync(paragraph, { session, drafter: 'bruno', view });
  return { paragraph, session, view, sync };
}

/** What the model does with someone else's committed edit, then tells the paragraph's sync. */
function committedByOthers({ paragraph, sync }, op) {
  paragraph.text = apply(paragraph.text, op);
  paragraph.revision += 1;
  sync.serverEdited(op, 'chloé', 'theirs');
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

test('an edit refused as too old to merge is sent again on the latest revision, under its command id', async () => {
  const drafting = typing();
  const { session, sync, view } = drafting;
  sync.edited([TEXT.length - 1, ' 2'], TEXT.slice(0, -1) + ' 2.');
  committedByOthers(drafting, [3, { d: 6 }, 'Comité']);

  session.sent[0].reject({ code: 'revision_too_old', message: 'too far to merge' });
  await settled();

  assert.equal(session.sent.length, 2);
  const [first, again] = session.sent;
  assert.equal(again.commandId, first.commandId);
  assert.equal(again.command.base_revision, 4);
  assert.deepEqual(again.command.ops, [TEXT.length - 1, ' 2']);
  assert.equal(sync.local, 'Le Comité a examiné le point 2.');
  assert.deepEqual(view.refusals, []);
});

test('an edit refused for good, or too often, gives the drafter the server text back', async () => {
  for (const [code, refusals] of [['chapter_adopted', 1], ['revision_too_old', MAX_RETRIES + 1]]) {
    const { session, sync, view } = typing();
    sync.edited(['Hier, '], 'Hier, ' + TEXT);
    for (let n = 0; n < refusals; n += 1) {
      session.sent.at(-1).reject({ code, message: 'refused' });
      await settled();
    }

    assert.equal(session.sent.length, refusals);
    assert.equal(sync.local, TEXT);
    assert.deepEqual(view.refusals.map((error) => error.code), [code]);
  }
});
