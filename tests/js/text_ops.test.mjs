// The browser's vendored ot-text-unicode does what the package did when it wrote the shared
// vectors (tests/vectors/generate_text_ops.mjs), which events/text_ops.py also passes: the
// bundling changed nothing, and server and browser agree. Run: node --test tests/js/
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

import { type } from '../../client/web/vendor/ot-text-unicode.js'

const vectors = JSON.parse(readFileSync(new URL('../vectors/text_ops.json', import.meta.url), 'utf8'))
// A fresh copy for every call: the library's normalize may change the op it is given.
const copy = (value) => structuredClone(value)
const label = (kind, index, { note }) => `${kind} case ${index}${note ? ` (${note})` : ''}`

/** Runs `check` on every case of `kind`, naming the first case that fails. */
const everyCase = (kind, check) => () => {
  assert.ok(vectors[kind].length > 0)
  vectors[kind].forEach((item, index) => check(item, label(kind, index, item)))
}

test('the vectors were written by ot-text-unicode 4', () => {
  assert.equal(vectors.package, 'ot-text-unicode')
  assert.match(vectors.version, /^4\./)
})

test('ops apply as in the vectors', everyCase('apply', ({ doc, op, result }, name) =>
  assert.equal(type.apply(doc, copy(op)), result, name)))

test('composed ops are the ones in the vectors and do both edits', everyCase('compose', ({ doc, a, b, result }, name) => {
  assert.deepEqual(type.compose(copy(a), copy(b)), result, name)
  assert.equal(type.apply(doc, result), type.apply(type.apply(doc, a), b), name)
}))

test('concurrent ops transform as in the vectors', everyCase('transform', ({ op, other, side, result }, name) =>
  assert.deepEqual(type.transform(copy(op), copy(other), side), result, name)))

test('carets move as in the vectors', everyCase('transformPosition', ({ op, cursor, result }, name) =>
  assert.equal(type.transformPosition(cursor, copy(op)), result, name)))

test('inverses are the ones in the vectors and restore the text', everyCase('invert', ({ doc, op, result }, name) => {
  assert.deepEqual(type.invertWithDoc(copy(op), doc), result, name)
  assert.equal(type.apply(type.apply(doc, op), result), doc, name)
}))

test('ops normalize as in the vectors', everyCase('normalize', ({ op, result }, name) =>
  assert.deepEqual(type.normalize(copy(op)), result, name)))

test('ops are accepted or refused as in the vectors', everyCase('check', ({ op, valid }, name) => {
  if (valid) assert.doesNotThrow(() => type.checkOp(copy(op)), name)
  else assert.throws(() => type.checkOp(copy(op)), name)
}))

test('two drafters who edit at once end with the same text', everyCase('transform', ({ doc, op, other }, name) =>
  assert.equal(
    type.apply(type.apply(doc, op), type.transform(copy(other), copy(op), 'right')),
    type.apply(type.apply(doc, other), type.transform(copy(op), copy(other), 'left')),
    name,
  )))
