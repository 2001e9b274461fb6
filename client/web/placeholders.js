/* Bracketed placeholders in a paragraph's text, found and named as events/placeholders.py
 * does: `<paragraph id>:<crc32 of the bracketed text's UTF-8, 8 hex digits>:<occurrence>`,
 * where occurrences already filled keep their number. */

const BRACKETED = /\[[^[\]\n]{0,200}\]/gu; // 200 code points, as Python counts them

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text) {
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(text)) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

const idOf = (paragraphId, text, occurrence) => `${paragraphId}:${crc32(text)}:${occurrence}`;

/** [{id, text, start, end}] with start/end in UTF-16 units of `text` (for the view). */
export function findPlaceholders(paragraphId, text, filled = new Set()) {
  const seen = new Map();
  const found = [];
  for (const match of text.matchAll(BRACKETED)) {
    const bracketed = match[0];
    let occurrence = seen.get(bracketed) ?? 0;
    while (filled.has(idOf(paragraphId, bracketed, occurrence))) occurrence++;
    seen.set(bracketed, occurrence + 1);
    found.push({ id: idOf(paragraphId, bracketed, occurrence), text: bracketed, start: match.index, end: match.index + bracketed.length });
  }
  return found;
}

/** What a placeholder most likely becomes: its words without the brackets (« [12 et 13] » → « 12 et 13 »). */
export function suggestedValue(placeholder) {
  const inner = placeholder.text.slice(1, -1);
  return inner === '…' || inner === '...' ? '' : inner;
}
