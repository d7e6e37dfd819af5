// The patient's side: upcoming visits, check-in, the waiting room with a
// live queue position, then the call once a clinician admits them.
import { byId, clear, el, formatTime, formatWait, show } from './dom.js';
import { alertUser, notify } from './notices.js';
import { VisitView } from './visit_view.js';

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function viewerZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const kStatusNames = {
  scheduled: 'Booked', checked_in: 'Checked in', in_progress: 'In progress',
  completed: 'Completed', cancelled: 'Cancelled', no_show: 'Missed',
};

export class PatientView extends VisitView {
  constructor({ app }) {
    super({ app });
    this.practitioners = new Map();
    const signal = this.listening.signal;
    byId('leave-waiting-button').addEventListener('click', () => this.leave(), { signal });
    this.stops = [
      this.socket.on('visit.position', (p) => this.positionChanged(p)),
      this.socket.on('visit.returned', (p) => this.returned(p)),
      this.socket.on('visit.transferred', (p) => this.transferred(p)),
      this.socket.on('visit.admitted', (p) => this.admitted(p)),
      this.socket.on('visit.ended', (p) => this.ended(p)),
    ];
    this.socket.onReconnect(() => this.rejoin());
  }

  async open() {
    show(byId('patient-view'));
    await this.loadVisits();
  }

  async loadVisits() {
    const query = new URLSearchParams({ from: today(), tz: viewerZone() });
    const reply = await this.api.get(`/api/v1/appointments?${query}`, { background: true });
    const upcoming = reply.items.filter((a) => !['cancelled', 'completed', 'no_show']
      .includes(a.status));
    const list = byId('visit-list');
    clear(list);
    show(byId('visits-empty'), upcoming.length === 0);
    for (const appointment of upcoming) {
      list.append(await this.card(appointment));
    }
  }

  async practitionerName(id) {
    if (!this.practitioners.has(id)) {
      try {
        const practitioner = await this.api.get(`/api/v1/practitioners/${id}`,
          { background: true });
        this.practitioners.set(id, practitioner.display_name || 'your clinician');
      } catch {
        this.practitioners.set(id, 'your clinician');
      }
    }
    return this.practitioners.get(id);
  }

  async card(appointment) {
    const name = await this.practitionerName(appointment.practitioner_id);
    const title = `${formatTime(appointment.start)} with ${name}`;
    const action = appointment.status === 'scheduled'
      ? el('button', { type: 'button', onclick: () => this.checkIn(appointment) }, 'Check in')
      : el('button', { type: 'button', onclick: () => this.wait(appointment) },
        appointment.status === 'in_progress' ? 'Rejoin the call' : 'Go to the waiting room');
    return el('li', { class: 'card', dataset: { appointment: appointment.id } },
      el('h3', {}, title),
      el('p', {}, `${appointment.visit_type.replace(/_/g, ' ')} · `,
        el('span', { class: 'status' }, kStatusNames[appointment.status] || appointment.status)),
      action);
  }

  async checkIn(appointment) {
    try {
      const checkedIn = await this.api.post(`/api/v1/appointments/${appointment.id}/check-in`);
      notify('You are checked in.');
      await this.wait(checkedIn);
    } catch (failure) {
      alertUser(failure.reason === 'check_in_not_open'
        ? 'Check-in opens 30 minutes before your visit.'
        : `Check-in failed: ${failure.message}`);
    }
  }

  // The waiting room: the camera preview while the queue moves.
  async wait(appointment) {
    this.appointment = appointment;
    show(byId('patient-view'), false);
    show(byId('waiting-view'));
    byId('queue-position').textContent = 'Joining the waiting room…';
    await this.app.screen.preview(appointment.id);
    this.app.chat.openForPatient(appointment.patient_id, appointment.practitioner_id)
      .catch(() => {});
    await this.join();
  }

  async join() {
    try {
      const joined = await this.socket.request('visit.join',
        { appointment_id: this.appointment.id });
      if (joined.state === 'admitted') {
        this.admitted(joined);
      } else {
        this.positionChanged(joined);
      }
    } catch (failure) {
      alertUser(`Could not join the waiting room: ${failure.message}`);
    }
  }

  rejoin() {
    if (this.appointment) {
      this.join();
    }
  }

  positionChanged(payload) {
    if (!this.concerns(payload)) {
      return;
    }
    const place = payload.position;
    const wait = formatWait(payload.estimated_wait_seconds);
    byId('queue-position').textContent = place === 1
      ? `You are next. Estimated wait: ${wait}.`
      : `You are number ${place} in the queue. Estimated wait: ${wait}.`;
  }

  admitted(payload) {
    if (!this.concerns(payload)) {
      return;
    }
    byId('preview-video').srcObject = null;
    show(byId('waiting-view'), false);
    notify('Your clinician has let you in.');
    this.app.enterCall({
      appointmentId: this.appointment.id, selfId: payload.participant_id, ice: payload.ice,
      participants: payload.participants || [], host: false,
      onLeave: () => this.leave(),
    });
  }

  returned(payload) {
    if (!this.concerns(payload)) {
      return;
    }
    this.app.leaveCall({ keepCamera: true });
    show(byId('waiting-view'));
    if (this.app.call) {
      byId('preview-video').srcObject = this.app.call.camera;
    }
    notify('You are back in the waiting room.');
    this.positionChanged(payload);
  }

  transferred(payload) {
    if (!this.concerns(payload)) {
      return;
    }
    this.appointment.practitioner_id = payload.practitioner_id;
    notify('Your visit moved to another clinician\'s queue.');
    this.positionChanged(payload);
  }

  ended(payload) {
    super.ended(payload, payload.reason === 'replaced'
      ? 'You joined this visit from another window, so this one has left it.'
      : 'The visit has ended.');
  }

  close() {
    this.appointment = null;
    byId('preview-video').srcObject = null;
    show(byId('waiting-view'), false);
    this.app.leaveCall();
  }

  dispose() {
    super.dispose();
    show(byId('patient-view'), false);
  }
}
