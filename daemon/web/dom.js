// Small DOM helpers. Text always goes in through textContent, never as
// HTML, so nothing the API returns can become markup or script.

export function byId(id) {
  const element = document.getElementById(id);
  if (!element) {
    throw new Error(`missing element #${id}`);
  }
  return element;
}

// el('button', {type: 'button', class: 'primary'}, 'Admit') and the like.
// Attributes starting with "on" take a listener; "dataset" an object.
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

export function show(element, visible = true) {
  element.hidden = !visible;
}

export function clear(element) {
  element.replaceChildren();
}

// A local date and time as the viewer reads it, from an RFC 3339 string.
export function formatTime(rfc3339) {
  const when = new Date(rfc3339);
  if (Number.isNaN(when.getTime())) {
    return rfc3339;
  }
  return when.toLocaleString(undefined, {
    weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit',
  });
}

export function formatWait(seconds) {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    return 'any moment now';
  }
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? 'about 1 minute' : `about ${minutes} minutes`;
}
