// What the patient's and the clinician's views share: the visit they are
// in (if any), leaving it, and being torn down at sign-out. A subclass
// provides open() (its list) and close() (leaving the visit's screens).
import { leaveRoom } from './call.js';
import { notify } from './notices.js';

export class VisitView {
  constructor({ app }) {
    this.app = app;
    this.api = app.api;
    this.socket = app.socket;
    this.appointment = null;
    // Listeners on the page's fixed elements, removed at sign-out.
    this.listening = new AbortController();
    this.stops = [];
  }

  // Whether a pushed frame is about the visit this view is in.
  concerns(payload) {
    return Boolean(this.appointment) && payload.appointment_id === this.appointment.id;
  }

  async leave() {
    if (this.appointment) {
      leaveRoom(this.socket, this.appointment.id);
    }
    this.close();
    await this.open();
  }

  // The room closed under us: back to the list, with a notice.
  ended(payload, notice) {
    if (!this.concerns(payload)) {
      return;
    }
    this.close();
    if (notice) {
      notify(notice, { sticky: true });
    }
    this.open().catch(() => {});
  }

  dispose() {
    this.close();
    this.listening.abort();
    for (const stop of this.stops) {
      stop();
    }
  }
}
