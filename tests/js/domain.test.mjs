// The browser's fold, placeholder ids and authorship runs agree with Python's, through the
// shared vectors of tests/vectors/domain.json (made by tests/vectors/generate_domain.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { applyEvent, fromSnapshot } from '../../client/web/model.js';
import { findPlaceholders } from '../../client/web/placeholders.js';
import { applyToRuns } from '../../client/web/authorship.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/domain.json', import.meta.url), 'utf8'));

test('folding the events of a co-edited seed report gives the report Python folds', () => {
  const report = fromSnapshot(structuredClone(vectors.fold.snapshot));
  for (const event of vectors.fold.events) applyEvent(report, event);
  assert.deepEqual(report, fromSnapshot(structuredClone(vectors.fold.report)));
});

test('placeholders get the ids Python gives them', () => {
  for (const { paragraph_id, text, filled, placeholders } of vectors.placeholders) {
    const found = findPlaceholders(paragraph_id, text, new Set(filled)).map(({ id, text }) => ({ id, text }));
    assert.deepEqual(found, placeholders, text);
  }
});

test('authorship runs move with an operation as in Python', () => {
  for (const { runs, op, author, result } of vectors.authorship) {
    assert.deepEqual(applyToRuns(runs, op, author), result, JSON.stringify({ runs, op, author }));
  }
});
