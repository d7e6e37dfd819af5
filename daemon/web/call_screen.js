// The call's screen, shared by the signed-in page and the guest page: the
// #call-view section with one's own camera, the others' videos, a status
// line and the controls (mute, camera, screen sharing, leave). It holds the
// VisitCall of the visit being joined; a view decides when to enter and
// leave it.
import { VisitCall } from './call.js';
import { byId, show } from './dom.js';
import { alertUser } from './notices.js';

export class CallScreen {
  constructor({ socket }) {
    this.socket = socket;
    this.call = null;
    this.options = null;
    this.stopEvents = [];
    this.listening = new AbortController();
    const signal = this.listening.signal;
    const on = (id, handler) => byId(id).addEventListener('click', handler, { signal });
    on('mute-button', () => this.toggleMedia('audio'));
    on('camera-button', () => this.toggleMedia('video'));
    on('share-button', () => this.toggleSharing());
    on('leave-call-button', () => {
      if (this.options) {
        this.options.onLeave();
      }
    });
  }

  // The call of this visit, made once (its camera can start in the
  // waiting room, before the call is entered).
  prepare(appointmentId) {
    if (!this.call || this.call.appointmentId !== appointmentId) {
      this.leave();
      this.call = new VisitCall({
        socket: this.socket, appointmentId, container: byId('remote-videos'),
        onState: (text) => {
          byId('call-state').textContent = text;
        },
      });
    }
    return this.call;
  }

  // The waiting room's camera preview, from the camera the call will use.
  async preview(appointmentId) {
    try {
      const call = this.prepare(appointmentId);
      byId('preview-video').srcObject = await call.startCamera();
    } catch (failure) {
      alertUser(`Your camera or microphone is not available: ${failure.message}`);
    }
  }

  // options: appointmentId, selfId, ice, participants (as visit.joined or
  // visit.admitted name them) and onLeave, run by the Leave button.
  enter(options) {
    this.options = options;
    const call = this.prepare(options.appointmentId);
    show(byId('call-view'));
    byId('local-video').srcObject = call.camera;
    byId('call-state').textContent = 'Connecting…';
    this.stopEvents = [
      this.socket.on('room.participant', (payload) => {
        if (payload.appointment_id === options.appointmentId) {
          call.nameParticipant(payload.participant);
          call.participantChanged(payload.participant);
        }
      }),
    ];
    call.setNames(new Map(options.participants.map((p) => [p.participant_id, p.display_name])));
    call.enter(options.selfId, options.ice, options.participants);
    call.linkStateChanged();
    byId('share-button').focus();
  }

  // keepCamera: back to the waiting room, where the preview stays on.
  leave({ keepCamera = false } = {}) {
    for (const stop of this.stopEvents) {
      stop();
    }
    this.stopEvents = [];
    this.options = null;
    show(byId('call-view'), false);
    byId('local-video').srcObject = null;
    this.setPressed('share-button', false, 'Share screen');
    if (!this.call) {
      return;
    }
    const { appointmentId, camera } = this.call;
    if (keepCamera) {
      this.call.camera = null;
    }
    this.call.close();
    this.call = null;
    if (keepCamera) {
      this.prepare(appointmentId).camera = camera;
    }
  }

  setPressed(id, pressed, label) {
    const button = byId(id);
    button.setAttribute('aria-pressed', String(pressed));
    button.textContent = label;
  }

  toggleMedia(kind) {
    if (!this.call || !this.call.camera) {
      return;
    }
    const on = this.call.toggle(kind);
    if (kind === 'audio') {
      this.setPressed('mute-button', !on, on ? 'Mute' : 'Unmute');
    } else {
      this.setPressed('camera-button', !on, on ? 'Stop camera' : 'Start camera');
    }
  }

  async toggleSharing() {
    if (!this.call) {
      return;
    }
    if (this.call.sharing) {
      this.call.stopSharing();
      this.setPressed('share-button', false, 'Share screen');
      return;
    }
    try {
      await this.call.shareScreen();
      this.setPressed('share-button', true, 'Stop sharing');
    } catch (failure) {
      alertUser(`Screen sharing did not start: ${failure.message}`);
    }
  }

  dispose() {
    this.leave();
    this.listening.abort();
  }
}
