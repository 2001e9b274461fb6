/* Building DOM without markup: every piece of text goes in as a text node, never as HTML,
 * so what a drafter typed is always shown as text (and the CSP forbids inline handlers). */

/** h('button', {class: 'x', onclick: f, dataset: {id}}, 'text', child…) */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked' || name === 'readOnly' || name === 'disabled') element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Make `container`'s children exactly `nodes`, in order, moving only what is out of place
 * (so a focused textarea that stays where it is keeps its focus and caret). */
export function reconcile(container, nodes) {
  nodes.forEach((node, index) => {
    if (container.children[index] !== node) container.insertBefore(node, container.children[index] ?? null);
  });
  while (container.children.length > nodes.length) container.lastElementChild.remove();
}

export function newId() {
  return crypto.randomUUID();
}
