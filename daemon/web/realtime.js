// The real-time socket (lib/realtime/PROTOCOL.md): one WebSocket per tab to
// /api/v1/ws, authenticated by the session cookie, which the browser sends
// on the upgrade to its own origin.
//
// request(type, payload) sends a frame with a fresh id and resolves with
// the reply that carries it back as payload.ref (or rejects with the error
// frame); on(type, handler) receives pushed frames. A lost connection is
// reopened with backoff and onReconnect handlers run, so that subscribers
// resume from their cursors; a 4401 close means the session ended and is
// final.

const kSessionEnded = 4401;
const kReplyTimeoutMs = 15000;

export class SocketError extends Error {
  constructor(payload) {
    super(payload.message || payload.code || 'refused');
    this.code = payload.code;
  }
}

export class RealtimeSocket {
  constructor({ onSessionEnded }) {
    this.onSessionEnded = onSessionEnded;
    this.handlers = new Map();
    this.pending = new Map();
    this.reconnectHandlers = [];
    this.nextId = 1;
    this.socket = null;
    this.opened = null;
    this.closedForGood = false;
    this.retryMs = 500;
  }

  url() {
    return `wss://${window.location.host}/api/v1/ws`;
  }

  connect() {
    if (this.opened) {
      return this.opened;
    }
    this.opened = new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url());
      this.socket = socket;
      let helloSeen = false;
      socket.addEventListener('message', (event) => {
        const frame = this.parse(event.data);
        if (frame && frame.type === 'hello' && !helloSeen) {
          helloSeen = true;
          this.retryMs = 500;
          resolve(frame.payload);
          return;
        }
        if (frame) {
          this.dispatch(frame);
        }
      });
      socket.addEventListener('close', (event) => {
        this.socket = null;
        this.opened = null;
        this.failPending(new Error('the connection closed'));
        if (!helloSeen) {
          reject(new Error('could not connect'));
        }
        this.closed(event);
      });
    });
    return this.opened;
  }

  parse(text) {
    try {
      const frame = JSON.parse(text);
      return frame && typeof frame.type === 'string' ? frame : null;
    } catch {
      return null;
    }
  }

  dispatch(frame) {
    const payload = frame.payload || {};
    const waiting = payload.ref ? this.pending.get(payload.ref) : undefined;
    if (waiting) {
      this.pending.delete(payload.ref);
      window.clearTimeout(waiting.timer);
      if (frame.type === 'error') {
        waiting.reject(new SocketError(payload));
      } else {
        waiting.resolve(payload);
      }
      // Replies are also seen by listeners of their type (visit.admit...).
    }
    for (const handler of this.handlers.get(frame.type) || []) {
      handler(payload, frame);
    }
  }

  closed(event) {
    if (event.code === kSessionEnded) {
      this.closedForGood = true;
      this.onSessionEnded(event.reason || 'session_ended');
      return;
    }
    if (this.closedForGood) {
      return;
    }
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 15000);
    window.setTimeout(async () => {
      if (this.closedForGood) {
        return;
      }
      try {
        await this.connect();
        for (const handler of this.reconnectHandlers) {
          handler();
        }
      } catch {
        // connect() failed: its close event schedules the next try.
      }
    }, delay);
  }

  failPending(error) {
    for (const waiting of this.pending.values()) {
      window.clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.pending.clear();
  }

  on(type, handler) {
    if (!this.handlers.has(type)) {
      this.handlers.set(type, new Set());
    }
    this.handlers.get(type).add(handler);
    return () => this.handlers.get(type).delete(handler);
  }

  onReconnect(handler) {
    this.reconnectHandlers.push(handler);
  }

  // A frame that needs no reply (a WebRTC signal).
  send(type, payload) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      return false;
    }
    this.socket.send(JSON.stringify({ type, id: `c-${this.nextId++}`, payload }));
    return true;
  }

  async request(type, payload = {}) {
    await this.connect();
    const id = `c-${this.nextId++}`;
    return new Promise((resolve, reject) => {
      if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
        reject(new Error('the connection closed'));
        return;
      }
      const timer = window.setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${type}`));
      }, kReplyTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ type, id, payload }));
    });
  }

  close() {
    this.closedForGood = true;
    this.failPending(new Error('signed out'));
    if (this.socket) {
      this.socket.close(1000, 'signed out');
    }
  }
}
