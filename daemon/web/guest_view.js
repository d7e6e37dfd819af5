// The guest page (/guest, the client's page in its guest mode): an invited
// family member, caregiver or
// interpreter opens the link of their email, /guest#token=SECRET. The
// secret is in the fragment, which the browser never sends: this page
// reads it, takes it out of the address bar and the history at once, and
// redeems it (POST, in the body) for a guest session that the daemon puts
// in the HttpOnly cookie. Then it shows the visit (when, with whom: all a
// guest may know), waits in the visit's waiting room with its place in the
// queue, and enters the call once the clinician admits the guest. A
// reload goes on with the cookie's session; the link works once.
//
// The session is short and reaches this visit alone. When it ends (its
// time is up, the invitation is withdrawn), the daemon closes the socket
// with 4401 or answers 401, and the page leaves the call with a notice.
import { ApiClient } from './api.js';
import { leaveRoom } from './call.js';
import { CallScreen } from './call_screen.js';
import { byId, formatTime, formatWait, show } from './dom.js';
import { alertUser, notify } from './notices.js';
import { RealtimeSocket } from './realtime.js';

const kAccessEnded = {
  session_expired: 'Your guest access has reached its time limit. If you still need to ' +
    'join, ask the clinic or the patient for a new invitation.',
  session_revoked: 'Your invitation was withdrawn, so your guest access has ended.',
  unauthenticated: 'Your guest access has ended. If you still need to join, ask the ' +
    'clinic or the patient for a new invitation.',
};

const kUnusableLink = 'This invitation link cannot be used: it may have expired, been used ' +
  'already on another device, or been withdrawn. Ask the clinic or the patient for a new ' +
  'invitation.';

const kNoLink = 'Open this page from the link in your invitation email.';

export class GuestView {
  constructor() {
    this.api = new ApiClient((reason) => this.accessEnded(reason));
    this.socket = null;
    this.screen = null;
    this.appointmentId = '';
    this.inRoom = false;
  }

  async boot() {
    show(byId('opening-view'));
    byId('leave-waiting-button').addEventListener('click', () => this.leave());
    byId('join-again-button').addEventListener('click', () => this.joinAgain());
    const secret = this.takeLinkSecret();
    let visit;
    try {
      visit = await this.signIn(secret);
    } catch (failure) {
      this.showClosed(secret ? 'This link cannot be used' : 'No invitation is open here',
        this.linkProblem(secret, failure));
      return;
    }
    try {
      await this.start(visit);
    } catch (failure) {
      alertUser(`The visit could not be opened: ${failure.message}`);
    }
  }

  // The link's secret, removed from the address bar and the history before
  // anything else happens, so that it is not left on screen or for the
  // back button. "" when the page was opened without one (a reload).
  takeLinkSecret() {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const secret = fragment.get('token') || '';
    if (window.location.hash) {
      window.history.replaceState(null, '', window.location.pathname);
    }
    return secret;
  }

  // A used link may have been used by this very browser (a second click on
  // the email's link): its cookie then still holds the session.
  async signIn(secret) {
    if (secret) {
      try {
        await this.api.redeemGuestLink(secret);
      } catch (failure) {
        if (failure.status !== 401) {
          throw failure;
        }
        return this.api.guestVisit().catch(() => {
          throw failure;
        });
      }
    }
    return this.api.guestVisit();
  }

  linkProblem(secret, failure) {
    if (failure.status === 401) {
      return secret ? kUnusableLink : kNoLink;
    }
    return failure.status === 429
      ? 'Too many attempts. Wait a minute, then open the link again.'
      : `The invitation could not be checked: ${failure.message}`;
  }

  async start(visit) {
    this.appointmentId = visit.appointment_id;
    show(byId('opening-view'), false);
    show(byId('guest-badge'));
    byId('visit-details').textContent =
      `Video visit with ${visit.practitioner_name || 'your clinician'} on ` +
      `${formatTime(visit.start)} (until ${formatTime(visit.end)}).`;
    show(byId('visit-summary'));

    this.socket = new RealtimeSocket({ onSessionEnded: (reason) => this.accessEnded(reason) });
    this.screen = new CallScreen({ socket: this.socket });
    const mine = (handler) => (payload) => {
      if (this.inRoom && payload.appointment_id === this.appointmentId) {
        handler(payload);
      }
    };
    this.socket.on('visit.position', mine((p) => this.positionChanged(p)));
    this.socket.on('visit.transferred', mine((p) => this.positionChanged(p)));
    this.socket.on('visit.admitted', mine((p) => this.admitted(p)));
    this.socket.on('visit.returned', mine((p) => this.returned(p)));
    this.socket.on('visit.ended', mine((p) => this.ended(p)));
    this.socket.onReconnect(() => {
      if (this.inRoom) {
        this.join();
      }
    });
    await this.socket.connect();
    await this.wait();
  }

  // The waiting room: the camera preview while the queue moves.
  async wait() {
    this.inRoom = true;
    show(byId('closed-view'), false);
    show(byId('waiting-view'));
    byId('queue-position').textContent = 'Joining the waiting room…';
    await this.screen.preview(this.appointmentId);
    await this.join();
    byId('main').focus();
  }

  async join() {
    try {
      const joined = await this.socket.request('visit.join',
        { appointment_id: this.appointmentId });
      if (joined.state === 'admitted') {
        this.admitted(joined);
      } else {
        this.positionChanged(joined);
      }
    } catch (failure) {
      alertUser(failure.code === 'forbidden'
        ? 'The waiting room is not open: the visit may be over, or the room full.'
        : `Could not join the waiting room: ${failure.message}`);
    }
  }

  positionChanged(payload) {
    const place = payload.position;
    const wait = formatWait(payload.estimated_wait_seconds);
    let text = 'Waiting for the clinician to let you in.';
    if (place === 1) {
      text = `Waiting for the clinician: the visit is next. Estimated wait: ${wait}.`;
    } else if (place > 1) {
      text = `Waiting for the clinician: the visit is number ${place} in the queue. ` +
        `Estimated wait: ${wait}.`;
    }
    byId('queue-position').textContent = text;
  }

  admitted(payload) {
    byId('preview-video').srcObject = null;
    show(byId('waiting-view'), false);
    notify('The clinician has let you in.');
    this.screen.enter({
      appointmentId: this.appointmentId, selfId: payload.participant_id, ice: payload.ice,
      participants: payload.participants || [], onLeave: () => this.leave(),
    });
  }

  returned(payload) {
    this.screen.leave({ keepCamera: true });
    show(byId('waiting-view'));
    byId('preview-video').srcObject = this.screen.call ? this.screen.call.camera : null;
    notify('You are back in the waiting room.');
    this.positionChanged(payload);
  }

  ended(payload) {
    this.closeRoom();
    this.showClosed('The visit has ended', payload.reason === 'replaced'
      ? 'You joined this visit from another window, so this one has left it.'
      : 'The visit has ended. You can close this page.');
  }

  leave() {
    leaveRoom(this.socket, this.appointmentId);
    this.closeRoom();
    this.showClosed('You left the visit',
      'You can join the waiting room again while your invitation lasts.', { again: true });
  }

  async joinAgain() {
    await this.wait();
  }

  closeRoom() {
    this.inRoom = false;
    byId('preview-video').srcObject = null;
    show(byId('waiting-view'), false);
    if (this.screen) {
      this.screen.leave();
    }
  }

  // The session ended on the daemon: nothing more can be done here.
  accessEnded(reason) {
    if (!this.socket) {
      return;
    }
    this.closeRoom();
    this.screen.dispose();
    this.socket.close();
    this.socket = null;
    this.api.signedIn = false;
    show(byId('visit-summary'), false);
    show(byId('guest-badge'), false);
    const message = kAccessEnded[reason] || kAccessEnded.unauthenticated;
    this.showClosed('Your guest access has ended', message);
    notify(message, { sticky: true });
  }

  showClosed(title, message, { again = false } = {}) {
    show(byId('opening-view'), false);
    byId('closed-title').textContent = title;
    byId('closed-message').textContent = message;
    show(byId('join-again-button'), again);
    show(byId('closed-view'));
    byId('closed-title').focus();
  }
}
