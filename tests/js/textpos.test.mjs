// UTF-16 offsets (textarea carets, JS string indexes) and code point offsets (text ops) convert
// both ways as unicount, ot-text-unicode's own dependency, converted them in
// tests/vectors/text_positions.json. Run: node --test tests/js/
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

import { cpToCu, cuToCp } from '../../client/web/textpos.js'
import { type } from '../../client/web/vendor/ot-text-unicode.js'

const { cases } = JSON.parse(readFileSync(new URL('../vectors/text_positions.json', import.meta.url), 'utf8'))

test('the vectors include characters of two UTF-16 units', () => {
  assert.ok(cases.some(({ cu, cp }) => cu > cp))
})

test('a UTF-16 offset becomes the code point offset of the vectors', () => {
  for (const { text, cu, cp } of cases) assert.equal(cuToCp(text, cu), cp, `${JSON.stringify(text)} at ${cu}`)
})

test('a code point offset becomes the UTF-16 offset of the vectors', () => {
  for (const { text, cu, cp } of cases) assert.equal(cpToCu(text, cp), cu, `${JSON.stringify(text)} at ${cp}`)
})

test('an offset between the two halves of an emoji gives the start of the emoji', () => {
  assert.equal(cuToCp('a😅b', 2), 1)
  assert.equal(cuToCp('𝒜𝒜', 3), 1)
})

test('an offset outside the text is refused', () => {
  assert.throws(() => cuToCp('𝒜', 3), RangeError)
  assert.throws(() => cuToCp('𝒜', -1), RangeError)
  assert.throws(() => cpToCu('𝒜', 2), RangeError)
  assert.throws(() => cpToCu('𝒜', 0.5), RangeError)
})

test('a caret after an emoji types into the op at the right place and follows a remote edit', () => {
  const text = 'l’ordre 😅 du jour'
  const caret = text.indexOf(' du') // the textarea's selectionStart: UTF-16 units
  const typed = type.apply(text, [cuToCp(text, caret), ' «\u00a0adopté\u00a0»'])
  assert.equal(typed, 'l’ordre 😅 «\u00a0adopté\u00a0» du jour')

  const remote = ['𝒜 '] // another drafter's insert at the start, counted in code points
  const moved = cpToCu(type.apply(text, remote), type.transformPosition(cuToCp(text, caret), remote))
  assert.equal(type.apply(text, remote).slice(moved), ' du jour')
})
