/* Who wrote each character of a paragraph: runs [[author, length in code points], …] moved
 * along by every text operation, as events/authorship.py does on the server. */

const deletedLength = (d) => (typeof d === 'number' ? d : Array.from(d).length);

function merged(runs) {
  const result = [];
  for (const [author, length] of runs) {
    if (length <= 0) continue;
    const last = result[result.length - 1];
    if (last && last[0] === author) last[1] += length;
    else result.push([author, length]); // a copy: runs are never shared between states
  }
  return result;
}

function take(runs, length, into) {
  while (length > 0 && runs.length) {
    const [author, size] = runs[0];
    if (size <= length) {
      const whole = runs.shift(); // taken even when dropped: `into?.push(runs.shift())` would skip the shift
      into?.push(whole);
      length -= size;
    } else {
      into?.push([author, length]);
      runs[0] = [author, size - length];
      length = 0;
    }
  }
}

export function writtenBy(author, length) {
  return merged([[author, length]]);
}

export function applyToRuns(runs, op, author) {
  const remaining = runs.map(([a, n]) => [a, n]);
  const result = [];
  for (const component of op) {
    if (typeof component === 'number') take(remaining, component, result);
    else if (typeof component === 'string') result.push([author, Array.from(component).length]);
    else take(remaining, deletedLength(component.d), null);
  }
  result.push(...remaining);
  return merged(result);
}

/** A drafter's colour, from their user id: the same person always gets the same hue, on every
 * screen, whatever their display name is or becomes. */
export function colourOf(id, lightness = 82) {
  let hash = 2166136261;
  for (const char of id) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return `hsl(${hash % 360} 70% ${lightness}%)`;
}
