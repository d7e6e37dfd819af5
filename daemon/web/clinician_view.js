// The clinician's side: their queue, live (queue.watch, then a REST read
// at every queue.changed), and the room they host: whom to admit, send
// back or transfer, and the call itself.
import { byId, clear, el, formatTime, formatWait, show } from './dom.js';
import { alertUser, notify } from './notices.js';
import { VisitView } from './visit_view.js';

// How often the queue is read when the socket cannot push its changes.
const kPollMs = 15000;

const kStateNames = {
  waiting: 'in the waiting room', admitted: 'in the call', away: 'reconnecting', left: 'left',
};

export class ClinicianView extends VisitView {
  constructor({ app }) {
    super({ app });
    this.practitionerId = app.me.user_id;
    this.participants = new Map();
    this.selfId = '';
    this.refreshing = null;
    const signal = this.listening.signal;
    byId('transfer-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.transfer();
    }, { signal });
    byId('complete-button').addEventListener('click', () => this.complete(), { signal });
    byId('queue-practitioner').addEventListener('change', (event) => {
      this.practitionerId = event.target.value;
      this.open().catch(() => {});
    }, { signal });
    byId('queue-choice').addEventListener('submit', (event) => event.preventDefault(),
      { signal });
    this.stops = [
      this.socket.on('queue.changed', (p) => {
        if (p.practitioner_id === this.practitionerId) {
          this.refresh();
        }
      }),
      this.socket.on('room.participant', (p) => this.participantChanged(p)),
      this.socket.on('visit.ended', (p) => this.ended(p)),
    ];
    this.socket.onReconnect(() => this.watch().then(() => this.rejoin()).catch(() => {}));
  }

  async open() {
    show(byId('clinician-view'));
    if (!this.practitionerList) {
      await this.loadPractitioners();
    }
    try {
      await this.watch();
    } catch (failure) {
      // Without pushes the queue is still read, every so often.
      this.polling = this.polling || window.setInterval(() => this.refresh(), kPollMs);
    }
    await this.refresh();
  }

  // Whose queue to show: one's own when one is a practitioner, else the
  // first one's; staff may switch to any they may read.
  async loadPractitioners() {
    const reply = await this.api.get('/api/v1/practitioners', { background: true });
    this.practitionerList = reply.items;
    const select = byId('queue-practitioner');
    clear(select);
    for (const practitioner of reply.items) {
      const own = practitioner.user_id === this.app.me.user_id;
      select.append(el('option', { value: practitioner.user_id },
        own ? 'you' : practitioner.display_name || `NPI ${practitioner.npi}`));
    }
    const own = reply.items.some((p) => p.user_id === this.app.me.user_id);
    if (!own && reply.items.length > 0) {
      this.practitionerId = reply.items[0].user_id;
    }
    select.value = this.practitionerId;
  }

  async watch() {
    await this.socket.request('queue.watch', { practitioner_id: this.practitionerId });
  }

  // Pushes can come in bursts: one read at a time, and one more after it
  // if anything changed meanwhile.
  refresh() {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = this.readQueue().catch((failure) => {
      if (failure.status !== 401) {
        alertUser(`The queue could not be read: ${failure.message}`);
      }
    }).finally(() => {
      this.refreshing = null;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        this.refresh();
      }
    });
    return this.refreshing;
  }

  async readQueue() {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    const reply = await this.api.get(
      `/api/v1/practitioners/${this.practitionerId}/queue?tz=${encodeURIComponent(zone)}`,
      { background: true });
    const rows = byId('queue-rows');
    clear(rows);
    if (reply.in_progress) {
      rows.append(this.row({ position: 'now', estimated_wait_seconds: 0,
        appointment: reply.in_progress }));
    }
    for (const place of reply.items) {
      rows.append(this.row(place));
    }
    const count = reply.items.length;
    byId('queue-summary').textContent = count === 0
      ? 'Nobody is waiting.'
      : `${count} ${count === 1 ? 'patient is' : 'patients are'} checked in.`;
  }

  row(place) {
    const appointment = place.appointment;
    const open = el('button', { type: 'button', onclick: () => this.host(appointment) },
      appointment.status === 'in_progress' ? 'Rejoin visit' : 'Start visit');
    return el('tr', { dataset: { appointment: appointment.id } },
      el('td', {}, String(place.position)),
      el('td', {}, `${formatTime(appointment.start)} · ${appointment.visit_type.replace(/_/g, ' ')}`,
        appointment.urgent ? el('strong', { class: 'urgent' }, ' urgent') : ''),
      el('td', {}, appointment.status.replace(/_/g, ' ')),
      el('td', {}, appointment.status === 'in_progress' ? 'in the call'
        : formatWait(place.estimated_wait_seconds)),
      el('td', {}, open));
  }

  // Joining the room as its host, then the call view with the room's
  // people: those waiting get an Admit button.
  async host(appointment) {
    try {
      const call = this.app.prepareCall(appointment.id);
      await call.startCamera();
      const joined = await this.socket.request('visit.join', { appointment_id: appointment.id });
      this.appointment = appointment;
      this.selfId = joined.participant_id;
      this.participants = new Map();
      for (const participant of joined.participants || []) {
        this.participants.set(participant.participant_id, participant);
      }
      show(byId('clinician-view'), false);
      show(byId('host-tools'));
      show(byId('complete-button'));
      this.app.enterCall({
        appointmentId: appointment.id, selfId: joined.participant_id, ice: joined.ice,
        participants: joined.participants || [], host: true,
        onLeave: () => this.leave(),
      });
      this.renderParticipants();
      this.loadTransferTargets();
      if (this.app.chat) {
        this.app.chat.openForPatient(appointment.patient_id).catch(() => {});
      }
    } catch (failure) {
      alertUser(`Could not open the visit: ${failure.message}`);
    }
  }

  rejoin() {
    if (this.appointment) {
      this.socket.request('visit.join', { appointment_id: this.appointment.id }).catch(() => {});
    }
  }

  participantChanged(payload) {
    if (!this.concerns(payload)) {
      return;
    }
    const participant = payload.participant;
    if (participant.state === 'left') {
      this.participants.delete(participant.participant_id);
    } else {
      this.participants.set(participant.participant_id, participant);
    }
    if (participant.state === 'waiting' && participant.role !== 'host') {
      notify(`${participant.display_name || 'A patient'} is in the waiting room.`);
    }
    this.renderParticipants();
  }

  renderParticipants() {
    const list = byId('participant-list');
    clear(list);
    const names = new Map();
    for (const participant of this.participants.values()) {
      names.set(participant.participant_id, participant.display_name);
      if (participant.participant_id === this.selfId) {
        continue;
      }
      const name = participant.display_name || participant.role;
      const actions = [];
      if (participant.state === 'waiting') {
        actions.push(el('button', { type: 'button', onclick: () => this.move('visit.admit', participant) },
          `Admit ${name}`));
      } else if (participant.state === 'admitted' && participant.role !== 'host') {
        actions.push(el('button', {
          type: 'button', class: 'secondary', onclick: () => this.move('visit.return', participant),
        }, `Send ${name} back to the waiting room`));
      }
      list.append(el('li', { dataset: { participant: participant.participant_id } },
        el('span', { class: 'name' }, name), ` (${participant.role}, `,
        kStateNames[participant.state] || participant.state,
        participant.screen_sharing ? ', sharing a screen' : '', ') ', ...actions));
    }
    if (list.children.length === 0) {
      list.append(el('li', {}, 'Nobody else is here yet.'));
    }
    this.app.call && this.app.call.setNames(names);
  }

  async move(type, participant) {
    try {
      await this.socket.request(type, {
        appointment_id: this.appointment.id, participant_id: participant.participant_id,
      });
    } catch (failure) {
      alertUser(`That did not work: ${failure.message}`);
    }
  }

  loadTransferTargets() {
    const select = byId('transfer-select');
    clear(select);
    for (const practitioner of this.practitionerList || []) {
      if (practitioner.user_id !== this.practitionerId) {
        select.append(el('option', { value: practitioner.user_id },
          practitioner.display_name || `NPI ${practitioner.npi}`));
      }
    }
    show(byId('transfer-form'), select.children.length > 0);
  }

  async transfer() {
    const target = byId('transfer-select').value;
    if (!target || !this.appointment) {
      return;
    }
    try {
      await this.socket.request('visit.transfer',
        { appointment_id: this.appointment.id, practitioner_id: target });
      notify('The visit moved to the other queue.');
      await this.leave();
    } catch (failure) {
      alertUser(`The transfer failed: ${failure.message}`);
    }
  }

  async complete() {
    if (!this.appointment) {
      return;
    }
    try {
      await this.api.post(`/api/v1/appointments/${this.appointment.id}/complete`);
      notify('The visit is complete.');
    } catch (failure) {
      alertUser(`The visit could not be completed: ${failure.message}`);
      return;
    }
    await this.leave();
  }

  close() {
    this.appointment = null;
    this.participants = new Map();
    show(byId('host-tools'), false);
    show(byId('complete-button'), false);
    this.app.leaveCall();
  }

  dispose() {
    window.clearInterval(this.polling);
    super.dispose();
    show(byId('clinician-view'), false);
  }
}
