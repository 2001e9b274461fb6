/* The text operations of ot-text-unicode, the library the server's events/text_ops.py follows
 * step by step: positions in code points; {"d": n} deletes, strings insert, numbers retain. */
import { type } from './vendor/ot-text-unicode.js';

export const apply = (text, op) => type.apply(text, op);
export const compose = (a, b) => type.compose(a, b);
export const transform = (op, other, side) => type.transform(op, other, side);
export const transformPosition = (cursor, op) => type.transformPosition(cursor, op);
export const normalize = (op) => type.normalize(op);

/** The smallest op turning `before` into `after`: keep the common prefix and suffix, replace
 * the middle. The same as the server's `_replacement`, which compares code points. */
export function replacement(before, after) {
  const old = Array.from(before);
  const neu = Array.from(after);
  let prefix = 0;
  while (prefix < Math.min(old.length, neu.length) && old[prefix] === neu[prefix]) prefix++;
  let suffix = 0;
  while (suffix < Math.min(old.length, neu.length) - prefix && old[old.length - 1 - suffix] === neu[neu.length - 1 - suffix]) suffix++;
  const deleted = old.length - prefix - suffix;
  const inserted = neu.slice(prefix, neu.length - suffix).join('');
  return normalize([prefix, ...(deleted ? [{ d: deleted }] : []), ...(inserted ? [inserted] : [])]);
}
