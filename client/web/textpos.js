/**
 * Offsets in a paragraph's text, counted the two ways the editor meets them.
 *
 * Text operations (ot-text-unicode, events/text_ops.py) count Unicode code points: "𝒜" and "😅"
 * are one character each, as Python counts them. The browser counts UTF-16 units: a textarea's
 * selectionStart, String.prototype.slice and .length see those characters as two. Every offset
 * that crosses between the DOM and an op goes through one of these two functions.
 *
 * A lone surrogate (malformed text) counts as one code point, as `[...text]` counts it.
 */

const isHigh = (unit) => unit >= 0xd800 && unit <= 0xdbff
const isLow = (unit) => unit >= 0xdc00 && unit <= 0xdfff
/** Whether the UTF-16 unit at `cu` starts a surrogate pair, i.e. a character of two units. */
const pairAt = (str, cu) => isHigh(str.charCodeAt(cu)) && isLow(str.charCodeAt(cu + 1))

/**
 * The code point offset of UTF-16 offset `cu` in `str`. An offset between the two halves of a
 * pair (which no caret should produce) gives the start of that character, so a caret never
 * lands inside one. Throws RangeError outside 0..str.length.
 */
export function cuToCp(str, cu) {
  if (!Number.isInteger(cu) || cu < 0 || cu > str.length) {
    throw new RangeError(`UTF-16 offset ${cu} is outside a text of ${str.length} units`)
  }
  let cp = 0
  for (let unit = 0; unit < cu; unit += pairAt(str, unit) ? 2 : 1) cp++
  return cp - (cu > 0 && isLow(str.charCodeAt(cu)) && isHigh(str.charCodeAt(cu - 1)) ? 1 : 0)
}

/** The UTF-16 offset of code point offset `cp` in `str`. Throws RangeError past its end. */
export function cpToCu(str, cp) {
  if (!Number.isInteger(cp) || cp < 0) throw new RangeError(`code point offset ${cp} is not a position`)
  let cu = 0
  for (let n = 0; n < cp; n++) {
    if (cu >= str.length) throw new RangeError(`code point offset ${cp} is past the end of a text of ${n}`)
    cu += pairAt(str, cu) ? 2 : 1
  }
  return cu
}
