// The page's own idle timer, matching the session's idle timeout: the
// daemon ends an idle session by itself, and this signs the page out at
// the same moment instead of leaving a patient's data on an unattended
// screen until the next request fails. A warning comes a minute before.
// Only the user's own input counts, as on the daemon.

const kWarningSeconds = 60;
const kActivityEvents = ['pointerdown', 'keydown', 'wheel', 'touchstart'];

export class IdleTimer {
  constructor({ timeoutSeconds, onWarning, onIdle }) {
    this.timeoutMs = timeoutSeconds * 1000;
    this.onWarning = onWarning;
    this.onIdle = onIdle;
    this.lastActivity = Date.now();
    this.warned = false;
    this.listening = new AbortController();
    for (const type of kActivityEvents) {
      window.addEventListener(type, () => this.activity(), {
        capture: true, passive: true, signal: this.listening.signal,
      });
    }
    this.ticker = window.setInterval(() => this.check(), 1000);
  }

  activity() {
    this.lastActivity = Date.now();
    this.warned = false;
  }

  // Whether the user did something within the last minute.
  recentlyActive() {
    return Date.now() - this.lastActivity < 60000;
  }

  check() {
    if (this.timeoutMs <= 0) {
      return;
    }
    const idleMs = Date.now() - this.lastActivity;
    if (idleMs >= this.timeoutMs) {
      this.stop();
      this.onIdle();
    } else if (!this.warned && idleMs >= this.timeoutMs - kWarningSeconds * 1000) {
      this.warned = true;
      this.onWarning(Math.round((this.timeoutMs - idleMs) / 1000));
    }
  }

  stop() {
    window.clearInterval(this.ticker);
    this.listening.abort();
  }
}
