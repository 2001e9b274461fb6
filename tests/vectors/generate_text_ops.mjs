// Writes the shared test vectors of text operations, tests/vectors/text_ops.json and
// tests/vectors/text_positions.json, from the npm package `ot-text-unicode` v4 itself (the text
// type of ShareDB), so that events/text_ops.py (tests/events/test_text_ops.py) and the vendored
// browser copy (tests/js/) are both held to what the library really does.
//
// The package is not a dependency of the project: install it outside the repository, then run
// this script from the repository root with the package's folder as its argument:
//
//   mkdir -p /tmp/otvec && cd /tmp/otvec && npm init -y && npm install ot-text-unicode@4 && cd -
//   node tests/vectors/generate_text_ops.mjs /tmp/otvec/node_modules/ot-text-unicode
//
// (Without an argument it loads `ot-text-unicode` from node_modules of the current folder.)
// The cases come from a seeded generator: the same package version writes the same files.
//
// Every op is in the package's JSON form: a positive number retains that many Unicode code
// points, a non-empty string inserts it, {"d": n} deletes n code points and {"d": "text"}
// deletes them remembering the text. Positions (cursors) count code points too, except the
// `cu` offsets of text_positions.json, which count UTF-16 units as JavaScript strings do.

import { createRequire } from 'node:module'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const SEED = 20211012
const HERE = path.dirname(fileURLToPath(import.meta.url))

const packageDir = path.resolve(process.argv[2] ?? path.join(process.cwd(), 'node_modules', 'ot-text-unicode'))
const requireFromPackage = createRequire(path.join(packageDir, 'package.json'))
const { version } = requireFromPackage('./package.json')
if (!version.startsWith('4.')) throw Error(`ot-text-unicode 4.x expected, found ${version} in ${packageDir}`)
const { type } = requireFromPackage('./')
const { strPosToUni, uniToStrPos } = requireFromPackage('unicount')

// mulberry32: a small PRNG whose sequence is fixed by its seed.
let state = SEED
const random = () => {
  state = (state + 0x6d2b79f5) | 0
  let t = Math.imul(state ^ (state >>> 15), 1 | state)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const below = (n) => Math.floor(random() * n)
const pick = (list) => list[below(list.length)]
// A copy for each call: the library's normalize may change the op it is given.
const clone = (value) => structuredClone(value)

// Characters of French and English drafts, with some outside the Basic Multilingual Plane
// (one code point, two UTF-16 units) and a sequence of several code points (👩‍⚖️).
const CHARACTERS = [
  ...'abcdefgh ', ...'éèàçôÉ', '«', '»', '’', '\u00a0', '\u202f', '.', '\n',
  '𝒜', '😅', '🤖', '🇫🇷', '👩‍⚖️',
]
const DRAFTS = [
  '',
  'a',
  '𝒜',
  '😅',
  'Le Groupe de travail a adopté l’ordre du jour.',
  '« Le rapport » a été adopté à l’unanimité.',
  'The Working Group on Trafficking in Persons met in Vienna on 12 and 13 October 2021.',
  'Décision 𝒜/1 : la Conférence des Parties 🇫🇷 prend note du rapport 😅',
  '𝒜𝒜𝒜 🤖 👩‍⚖️ ’ « »',
]

const randomText = (min, max) => {
  let text = ''
  for (let n = min + below(max - min + 1); n > 0; n--) text += pick(CHARACTERS)
  return text
}
const randomDoc = () => (random() < 0.4 ? pick(DRAFTS) : randomText(0, 30))
const codePoints = (text) => [...text].length

/** A random valid op on `doc`: retains, inserts and deletes (some remembering their text). */
const randomOp = (doc) => {
  const chars = [...doc]
  const op = []
  let at = 0
  do {
    const left = chars.length - at
    const roll = random()
    if (roll < 0.35 && left > 0) {
      const n = 1 + below(Math.min(left, 8))
      op.push(n)
      at += n
    } else if (roll < 0.65 || left === 0) {
      op.push(randomText(1, 4))
    } else {
      const n = 1 + below(Math.min(left, 6))
      op.push({ d: random() < 0.25 ? chars.slice(at, at + n).join('') : n })
      at += n
    }
  } while (random() < 0.75)
  return type.normalize(op)
}

/** An op that needs normalizing: empty components, split neighbours, a trailing retain. */
const messyOp = () => {
  const parts = [
    () => below(4), () => pick(['', randomText(1, 3)]),
    () => ({ d: below(3) }), () => ({ d: pick(['', randomText(1, 3)]) }),
  ]
  return Array.from({ length: 1 + below(7) }, () => pick(parts)())
}

const vectors = { package: 'ot-text-unicode', version, seed: SEED, apply: [], compose: [], transform: [],
  transformPosition: [], invert: [], normalize: [], check: [] }

const addApply = (doc, op, note) =>
  vectors.apply.push({ ...(note && { note }), doc, op, result: type.apply(doc, clone(op)) })
const addCompose = (doc, a, b, note) =>
  vectors.compose.push({ ...(note && { note }), doc, a, b, result: type.compose(clone(a), clone(b)) })
const addTransform = (doc, op, other, side, note) => vectors.transform.push({
  ...(note && { note }), doc, op, other, side, result: type.transform(clone(op), clone(other), side),
})
const addPosition = (doc, op, cursor, note) => vectors.transformPosition.push({
  ...(note && { note }), doc, op, cursor, result: type.transformPosition(cursor, clone(op)),
})
const addInvert = (doc, op, note) =>
  vectors.invert.push({ ...(note && { note }), doc, op, result: type.invertWithDoc(clone(op), doc) })
const addNormalize = (op, note) => vectors.normalize.push({ ...(note && { note }), op, result: type.normalize(clone(op)) })
const addCheck = (op, note) => {
  let valid = true
  try { type.checkOp(clone(op)) } catch { valid = false }
  vectors.check.push({ note, op, valid })
}

// Stories first, then random cases.
addApply('𝒜b', [1, 'é'], 'a character outside the BMP is one code point')
addApply('', ['« Bonjour »'], 'an insert into an empty paragraph')
addApply('l’ordre du jour', [2, { d: 5 }, 'agenda'], 'a delete after an apostrophe')
addApply('😅😅😅', [1, { d: '😅' }], 'a delete that remembers an emoji')
addTransform('', ['x'], ['y'], 'left', 'inserts into an empty text: left goes first')
addTransform('', ['x'], ['y'], 'right', 'inserts into an empty text: right goes after')
addTransform('adopté', [6, ' à l’unanimité'], [6, ' 😅'], 'left', 'inserts at the same place: left')
addTransform('adopté', [6, ' à l’unanimité'], [6, ' 😅'], 'right', 'inserts at the same place: right')
addTransform('𝒜𝒜 « x »', [1, { d: 4 }], [2, { d: 4 }], 'left', 'overlapping deletes are not repeated')
addTransform('rapport', [2, 'XY'], [1, { d: 4 }], 'right', 'an insert inside a range the other deleted')
addTransform('rapport', [3, { d: 'por' }], [1, 'ab'], 'left', 'a remembered delete moves past an insert')
addCompose('', ['abc'], [1, { d: 1 }], 'deleting part of what was just inserted')
addCompose('𝒜bc', [{ d: '𝒜' }], [{ d: 'b' }], 'two remembered deletes keep their text')
addPosition('abc', [1, 'xy'], 1, 'text inserted at the caret goes after it')
addPosition('abcdef', [1, { d: 3 }], 3, 'a caret inside a deleted range moves to its start')
addPosition('😅😅', ['𝒜'], 2, 'a caret after emojis moves by code points')
addInvert('« Bonjour »', [2, { d: 7 }, 'Salut'], 'the inverse re-inserts the deleted word')
addNormalize([0, 'a', '', 'b', { d: 1 }, { d: 2 }, 3, 4], 'empties dropped, neighbours merged, trailing retain trimmed')
addNormalize([{ d: 'ab' }, { d: '𝒜' }], 'two remembered deletes keep their text')
addNormalize([{ d: 'ab' }, { d: 1 }], 'a remembered delete next to a counted one becomes a count')
for (const [op, note] of [
  [[0, 'a'], 'a zero retain'], [[-1, 'a'], 'a negative retain'], [[''], 'an empty insert'],
  [[{ d: 0 }], 'an empty delete'], [[{ d: '' }], 'an empty remembered delete'], [[{ d: -2 }], 'a negative delete'],
  [[2, 3, 'x'], 'adjacent retains'], [[3], 'a trailing retain'], [['a', 2], 'an insert then a trailing retain'],
  [[{ x: 1 }], 'an object that is not a delete'], [[{ d: null }], 'a delete of nothing'],
  [[null], 'a null component'], [['a', 'b', { d: 1 }, { d: 'c' }], 'adjacent inserts and deletes are allowed'],
  [[], 'the empty op changes nothing'], [[5, '😅', { d: '𝒜' }], 'a valid op'],
]) addCheck(op, note)

for (let i = 0; i < 150; i++) {
  const doc = randomDoc()
  addApply(doc, randomOp(doc))
}
for (let i = 0; i < 150; i++) {
  const doc = randomDoc()
  const a = randomOp(doc)
  addCompose(doc, a, randomOp(type.apply(doc, clone(a))))
}
for (let i = 0; i < 100; i++) {
  const doc = randomDoc()
  const [op, other] = [randomOp(doc), randomOp(doc)]
  for (const side of ['left', 'right']) addTransform(doc, op, other, side)
}
for (let i = 0; i < 30; i++) {
  const doc = randomDoc()
  const at = below(codePoints(doc) + 1)
  const prefix = at ? [at] : []
  const [mine, theirs] = [[...prefix, randomText(1, 3)], [...prefix, randomText(1, 3)]]
  for (const side of ['left', 'right']) addTransform(doc, mine, theirs, side, 'inserts at the same place')
}
for (let i = 0; i < 150; i++) {
  const doc = randomDoc()
  addPosition(doc, randomOp(doc), below(codePoints(doc) + 1))
}
for (let i = 0; i < 120; i++) {
  const doc = randomDoc()
  addInvert(doc, randomOp(doc))
}
for (let i = 0; i < 60; i++) addNormalize(messyOp())

// UTF-16 offsets <-> code point offsets (client/web/textpos.js), computed with unicount,
// the package's own dependency: every boundary between two code points of each text.
const positions = { package: 'unicount', version: requireFromPackage('unicount/package.json').version, cases: [] }
const texts = [...DRAFTS, '😅a😅', 'a👩‍⚖️b', '🇫🇷🇫🇷', '’«»é', ...Array.from({ length: 20 }, () => randomText(1, 12))]
for (const text of new Set(texts)) {
  const boundaries = [0]
  for (const char of text) boundaries.push(boundaries.at(-1) + char.length)
  for (const cu of boundaries) {
    const cp = strPosToUni(text, cu)
    if (uniToStrPos(text, cp) !== cu) throw Error(`unicount disagrees with itself on ${text} at ${cu}`)
    positions.cases.push({ text, cu, cp })
  }
}

// One case a line, so that a change of the library shows as a readable diff.
const format = (data) => '{\n' + Object.entries(data).map(([key, value]) => `  ${JSON.stringify(key)}: ` + (
  Array.isArray(value) ? `[\n${value.map((item) => `    ${JSON.stringify(item)}`).join(',\n')}\n  ]` : JSON.stringify(value)
)).join(',\n') + '\n}\n'
const write = (name, data) => writeFileSync(path.join(HERE, name), format(data))
write('text_ops.json', vectors)
write('text_positions.json', positions)
const counts = Object.entries(vectors).filter(([, v]) => Array.isArray(v)).map(([k, v]) => `${k} ${v.length}`)
console.log(`ot-text-unicode ${version}: ${counts.join(', ')}; positions ${positions.cases.length}`)
