// The video call: a full mesh, one RTCPeerConnection per other admitted
// participant. Media goes browser to browser (DTLS-SRTP); the daemon only
// relays the signaling (`signal` frames) and hands out the ICE servers.
//
// Each pair negotiates with the "perfect negotiation" pattern: either side
// may offer (a screen share added or removed), and when both offer at once
// the polite side, the one with the smaller participant id, rolls its offer
// back. The first offer comes from the polite side alone: the other adds
// its camera only on receiving it, so its answer carries it. (Chromium may
// gather no candidates again after rolling back a first offer, which left
// a call unconnected when both opened at once.) Candidates that arrive
// before the remote description are queued until it is set.
import { clear, el } from './dom.js';

// Asks for fresh TURN credentials this long before the current ones expire.
const kIceRefreshLeadSeconds = 60;

function iceConfiguration(ice) {
  const servers = (ice && ice.ice_servers) || [];
  return {
    iceServers: servers.map((server) => {
      const entry = { urls: server.urls };
      if (server.username) {
        entry.username = server.username;
        entry.credential = server.credential;
      }
      return entry;
    }),
  };
}

class PeerLink {
  constructor(call, participant) {
    this.call = call;
    this.remoteId = participant.participant_id;
    this.polite = call.selfId < this.remoteId;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.pendingCandidates = [];
    // Offers, answers and candidates of this pair, one after the other: an
    // offer never starts while a received description is being applied.
    this.steps = Promise.resolve();
    this.pc = new RTCPeerConnection(iceConfiguration(call.ice));
    this.senders = new Map();
    this.pc.addEventListener('negotiationneeded', () => this.enqueue(() => this.offer()));
    this.pc.addEventListener('icecandidate', ({ candidate }) => {
      this.signal('candidate', candidate ? candidate.toJSON() : null);
    });
    this.pc.addEventListener('track', (event) => this.call.remoteTrack(this, event));
    this.pc.addEventListener('connectionstatechange', () => {
      this.call.linkStateChanged(this);
      // An ICE restart is an offer: like the first one, from the polite side.
      if (this.pc.connectionState === 'failed' && this.polite) {
        this.pc.restartIce();
      }
    });
    this.sending = false;
    if (this.polite) {
      this.startSending();
    }
  }

  startSending() {
    this.sending = true;
    for (const stream of this.call.localStreams()) {
      for (const track of stream.getTracks()) {
        this.senders.set(track.id, this.pc.addTrack(track, stream));
      }
    }
  }

  signal(kind, data) {
    this.call.socket.send('signal', {
      appointment_id: this.call.appointmentId, to: this.remoteId, kind, data,
    });
  }

  enqueue(step) {
    this.steps = this.steps.then(step).catch((failure) => {
      console.warn('negotiation step failed', failure);
    });
    return this.steps;
  }

  // negotiationneeded may come while an offer from the other side is being
  // answered; offering then would answer instead. The answer carries our
  // tracks, and the browser asks again if more is needed.
  async offer() {
    if (this.pc.signalingState !== 'stable') {
      return;
    }
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const description = this.pc.localDescription;
      this.signal(description.type, description.toJSON());
    } catch (failure) {
      console.warn('offer failed', failure);
    } finally {
      this.makingOffer = false;
    }
  }

  async received(kind, data) {
    if (kind === 'candidate') {
      await this.candidate(data);
      return;
    }
    const description = data;
    if (description.type === 'answer' && this.pc.signalingState !== 'have-local-offer') {
      return;  // an answer to an offer that was rolled back or already answered
    }
    const collision = description.type === 'offer' &&
      (this.makingOffer || this.pc.signalingState !== 'stable');
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) {
      return;
    }
    await this.pc.setRemoteDescription(description);
    if (!this.sending) {
      this.startSending();  // on the offer's own transceivers: no second round
    }
    for (const queued of this.pendingCandidates.splice(0)) {
      await this.addCandidate(queued);
    }
    if (description.type === 'offer') {
      await this.pc.setLocalDescription();
      this.signal('answer', this.pc.localDescription.toJSON());
    }
  }

  async candidate(data) {
    if (!data || !data.candidate) {
      return;  // the end of candidates: nothing to add
    }
    if (!this.pc.remoteDescription) {
      this.pendingCandidates.push(data);
      return;
    }
    await this.addCandidate(data);
  }

  async addCandidate(data) {
    try {
      await this.pc.addIceCandidate(data);
    } catch (failure) {
      if (!this.ignoreOffer) {
        console.warn('candidate refused', failure);
      }
    }
  }

  addTrack(track, stream) {
    if (this.sending) {
      this.senders.set(track.id, this.pc.addTrack(track, stream));
    }
  }

  removeTrack(track) {
    const sender = this.senders.get(track.id);
    if (sender) {
      this.pc.removeTrack(sender);
      this.senders.delete(track.id);
    }
  }

  updateIce(ice) {
    this.pc.setConfiguration(iceConfiguration(ice));
  }

  close() {
    this.pc.close();
  }
}

// Gives up one's place in a room at once (no rejoin grace).
export function leaveRoom(socket, appointmentId) {
  socket.request('visit.leave', { appointment_id: appointmentId }).catch(() => {});
}

export class VisitCall {
  // container: where remote videos go; onState(text): a status line.
  constructor({ socket, appointmentId, container, onState }) {
    this.socket = socket;
    this.appointmentId = appointmentId;
    this.container = container;
    this.onState = onState;
    this.camera = null;
    this.screen = null;
    this.links = new Map();
    this.tiles = new Map();
    this.selfId = '';
    this.ice = null;
    this.iceTimer = 0;
    this.stops = [
      socket.on('signal', (payload) => this.signalReceived(payload)),
      socket.on('ice.servers', (payload) => {
        if (payload.appointment_id === appointmentId) {
          this.iceReceived(payload);
        }
      }),
    ];
  }

  async startCamera() {
    if (!this.camera) {
      this.camera = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    }
    return this.camera;
  }

  localStreams() {
    return [this.camera, this.screen].filter(Boolean);
  }

  // Called once admitted (or on joining as host): our id, the ICE servers
  // and the participants already in the call.
  enter(selfId, ice, participants) {
    this.selfId = selfId;
    this.iceReceived(ice);
    for (const participant of participants || []) {
      this.participantChanged(participant);
    }
  }

  participantChanged(participant) {
    if (!this.selfId || participant.participant_id === this.selfId) {
      return;
    }
    const linked = this.links.get(participant.participant_id);
    if (participant.state === 'admitted') {
      if (!linked) {
        this.links.set(participant.participant_id, new PeerLink(this, participant));
      }
      return;
    }
    // Away, waiting again, or left: its connection goes; a return builds a new one.
    if (linked) {
      linked.close();
      this.links.delete(participant.participant_id);
      this.removeTilesOf(participant.participant_id);
    }
  }

  signalReceived(payload) {
    if (payload.appointment_id !== this.appointmentId || !this.selfId) {
      return;
    }
    let link = this.links.get(payload.from);
    if (!link) {
      // Its offer overtook the room.participant announcing it.
      link = new PeerLink(this, { participant_id: payload.from });
      this.links.set(payload.from, link);
    }
    link.enqueue(() => link.received(payload.kind, payload.data));
  }

  iceReceived(ice) {
    if (!ice) {
      return;
    }
    this.ice = ice;
    for (const link of this.links.values()) {
      link.updateIce(ice);
    }
    window.clearTimeout(this.iceTimer);
    if (ice.expires_at) {
      const due = (ice.expires_at - kIceRefreshLeadSeconds) * 1000 - Date.now();
      this.iceTimer = window.setTimeout(() => {
        // The answer (ice.servers) reaches the listener above.
        this.socket.request('ice.refresh', { appointment_id: this.appointmentId })
          .catch(() => {});
      }, Math.max(due, 5000));
    }
  }

  remoteTrack(link, event) {
    const stream = event.streams[0] || new MediaStream([event.track]);
    const key = `${link.remoteId}/${stream.id}`;
    let tile = this.tiles.get(key);
    if (!tile) {
      const screen = [...this.tiles.keys()].some((k) => k.startsWith(`${link.remoteId}/`));
      const video = el('video', { autoplay: true, playsinline: true, class: 'remote-video' });
      video.srcObject = stream;
      tile = el('figure', { class: screen ? 'tile screen' : 'tile', dataset: { key } }, video,
        el('figcaption', {}, screen ? 'Shared screen' : this.nameOf(link.remoteId)));
      this.tiles.set(key, tile);
      this.container.append(tile);
      stream.addEventListener('removetrack', () => {
        if (stream.getTracks().length === 0) {
          this.removeTile(key);
        }
      });
    }
  }

  nameOf(participantId) {
    return (this.names && this.names.get(participantId)) || 'Participant';
  }

  setNames(names) {
    this.names = names;
  }

  // Someone the room announced: their name, for the tile their video gets.
  nameParticipant(participant) {
    if (this.names && participant.display_name) {
      this.names.set(participant.participant_id, participant.display_name);
    }
  }

  removeTile(key) {
    const tile = this.tiles.get(key);
    if (tile) {
      tile.remove();
      this.tiles.delete(key);
    }
  }

  removeTilesOf(participantId) {
    for (const key of [...this.tiles.keys()]) {
      if (key.startsWith(`${participantId}/`)) {
        this.removeTile(key);
      }
    }
  }

  linkStateChanged() {
    const states = [...this.links.values()].map((link) => link.pc.connectionState);
    if (states.length === 0) {
      this.onState('Waiting for others to join the call.');
    } else if (states.every((state) => state === 'connected')) {
      this.onState(states.length === 1 ? 'Connected.' : `Connected with ${states.length} people.`);
    } else if (states.some((state) => state === 'failed' || state === 'disconnected')) {
      this.onState('The connection is unstable; reconnecting.');
    } else {
      this.onState('Connecting…');
    }
  }

  toggle(kind) {
    const tracks = kind === 'audio' ? this.camera.getAudioTracks() : this.camera.getVideoTracks();
    for (const track of tracks) {
      track.enabled = !track.enabled;
    }
    return tracks.length > 0 && tracks[0].enabled;
  }

  // Screen sharing adds a second video track to every connection, which
  // renegotiates each of them; stopping removes it the same way.
  async shareScreen() {
    if (this.screen) {
      return true;
    }
    this.screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const [track] = this.screen.getVideoTracks();
    track.addEventListener('ended', () => this.stopSharing());
    for (const link of this.links.values()) {
      link.addTrack(track, this.screen);
    }
    this.socket.request('visit.screen_share', { appointment_id: this.appointmentId, active: true })
      .catch(() => {});
    return true;
  }

  stopSharing() {
    if (!this.screen) {
      return;
    }
    for (const track of this.screen.getTracks()) {
      for (const link of this.links.values()) {
        link.removeTrack(track);
      }
      track.stop();
    }
    this.screen = null;
    this.socket.request('visit.screen_share', { appointment_id: this.appointmentId, active: false })
      .catch(() => {});
  }

  get sharing() {
    return Boolean(this.screen);
  }

  close() {
    window.clearTimeout(this.iceTimer);
    for (const stop of this.stops) {
      stop();
    }
    for (const link of this.links.values()) {
      link.close();
    }
    this.links.clear();
    for (const stream of this.localStreams()) {
      for (const track of stream.getTracks()) {
        track.stop();
      }
    }
    this.camera = null;
    this.screen = null;
    this.tiles.clear();
    clear(this.container);
  }
}
