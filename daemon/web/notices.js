// The notice banner: one polite live region for news (queue moves,
// admission, sign-out) and one assertive for errors, so that screen
// readers announce them without moving focus.
import { byId } from './dom.js';

let hideTimer = 0;

function post(kind, text, sticky) {
  const region = byId(kind === 'error' ? 'alert' : 'notice');
  const other = byId(kind === 'error' ? 'notice' : 'alert');
  other.hidden = true;
  region.textContent = text;
  region.hidden = false;
  window.clearTimeout(hideTimer);
  if (!sticky) {
    hideTimer = window.setTimeout(() => {
      region.hidden = true;
    }, 8000);
  }
}

export function notify(text, { sticky = false } = {}) {
  post('notice', text, sticky);
}

export function alertUser(text) {
  post('error', text, true);
}

export function clearNotices() {
  window.clearTimeout(hideTimer);
  byId('notice').hidden = true;
  byId('alert').hidden = true;
}
