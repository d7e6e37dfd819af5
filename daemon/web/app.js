// The browser client: signs in, then opens the patient's or the
// clinician's view over one REST client and one real-time socket, and
// signs out (with a notice) when the session ends: by the user, by the
// daemon (401, or the socket closed with 4401), or by the page's own idle
// timer. At /guest the same page is the invited guests' (guest_view.js).
import { ApiClient } from './api.js';
import { CallScreen } from './call_screen.js';
import { ChatPanel } from './chat.js';
import { ClinicianView } from './clinician_view.js';
import { byId, clear, el, show } from './dom.js';
import { GuestView } from './guest_view.js';
import { IdleTimer } from './idle.js';
import { alertUser, clearNotices, notify } from './notices.js';
import { PatientView } from './patient_view.js';
import { RealtimeSocket } from './realtime.js';

const kSignedOutReasons = {
  session_idle_timeout: 'You were signed out after inactivity.',
  idle: 'You were signed out after inactivity.',
  session_expired: 'Your session reached its time limit. Please sign in again.',
  session_revoked: 'Your session was ended. Please sign in again.',
  account_disabled: 'This account is disabled.',
  unauthenticated: 'You were signed out after inactivity, or your session ended elsewhere.',
};

class App {
  constructor() {
    this.api = new ApiClient((reason) => this.signedOut(reason));
    this.me = null;
    this.socket = null;
    this.idle = null;
    this.chat = null;
    this.view = null;
    this.screen = null;
  }

  boot() {
    byId('sign-in-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.signIn();
    });
    byId('mfa-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.confirmMfa();
    });
    byId('recovery-done').addEventListener('click', () => this.afterMfa());
    byId('sign-out-button').addEventListener('click', () => this.signOut());
    this.resume();
  }

  // A reload with the session cookie still valid goes straight back in.
  async resume() {
    try {
      const me = await this.api.resume();
      if (!me.csrf_token) {
        throw new Error('no cookie session');
      }
      const sessions = await this.api.get('/api/v1/me/sessions', { background: true });
      const current = sessions.items.find((s) => s.current) || {};
      await this.start(me, current.idle_timeout_seconds || 0);
    } catch {
      this.api.signedIn = false;
      this.showSignIn();
    }
  }

  showSignIn() {
    for (const id of ['mfa-view', 'patient-view', 'waiting-view', 'clinician-view', 'call-view',
      'messages-view', 'account']) {
      show(byId(id), false);
    }
    show(byId('sign-in-view'));
    byId('password').value = '';
    byId('otp-code').value = '';
    byId('username').focus();
  }

  async signIn() {
    const error = byId('sign-in-error');
    const button = byId('sign-in-button');
    error.textContent = '';
    const username = byId('username').value.trim();
    const password = byId('password').value;
    const otp = byId('otp-code').value.trim();
    if (!username || !password) {
      error.textContent = 'Enter your username and password.';
      return;
    }
    button.disabled = true;
    try {
      const reply = await this.api.signIn(username, password, otp);
      byId('password').value = '';
      byId('otp-code').value = '';
      this.idleSeconds = reply.session.idle_timeout_seconds;
      if (reply.mfa_enrolment_required) {
        await this.beginMfa();
        return;
      }
      await this.start(await this.api.resume(), this.idleSeconds);
    } catch (failure) {
      error.textContent = this.signInProblem(failure);
      const field = failure.reason && failure.reason.startsWith('mfa') ? 'otp-code' : 'password';
      byId(field).focus();
    } finally {
      button.disabled = false;
    }
  }

  signInProblem(failure) {
    switch (failure.reason) {
      case 'mfa_required':
        return 'Enter the code from your authenticator app.';
      case 'mfa_invalid':
        return 'That code is not valid or was already used. Wait for the next one.';
      case 'invalid_credentials':
        return 'The username or password is not right.';
      case 'account_locked':
        return 'Too many attempts: the account is locked for now.';
      default:
        return failure.status === 429
          ? 'Too many attempts. Wait a minute, then try again.'
          : `Sign-in failed: ${failure.message}`;
    }
  }

  async beginMfa() {
    show(byId('sign-in-view'), false);
    show(byId('mfa-view'));
    show(byId('mfa-form'));
    show(byId('recovery-box'), false);
    const enrolment = await this.api.post('/api/v1/auth/mfa/enrol');
    byId('mfa-secret').textContent = enrolment.secret.replace(/(.{4})/g, '$1 ').trim();
    byId('mfa-code').focus();
  }

  async confirmMfa() {
    const error = byId('mfa-error');
    error.textContent = '';
    try {
      const reply = await this.api.post('/api/v1/auth/mfa/confirm',
        { code: byId('mfa-code').value.trim() });
      byId('mfa-secret').textContent = '';
      show(byId('mfa-form'), false);
      const codes = byId('recovery-codes');
      clear(codes);
      for (const code of reply.recovery_codes) {
        codes.append(el('li', {}, code));
      }
      show(byId('recovery-box'));
      byId('recovery-done').focus();
    } catch (failure) {
      error.textContent = 'That code did not match. Check the key and try the next code.';
    }
  }

  async afterMfa() {
    clear(byId('recovery-codes'));
    show(byId('mfa-view'), false);
    await this.start(await this.api.resume(), this.idleSeconds);
  }

  async start(me, idleSeconds) {
    this.me = me;
    clearNotices();
    show(byId('sign-in-view'), false);
    show(byId('account'));
    byId('account-name').textContent = `Signed in as ${me.username}`;
    this.socket = new RealtimeSocket({ onSessionEnded: (reason) => this.signedOut(reason) });
    this.idle = new IdleTimer({
      timeoutSeconds: idleSeconds || 0,
      onWarning: (left) => notify(`You will be signed out in ${left} seconds unless you use the page.`),
      onIdle: () => this.signedOut('idle'),
    });
    this.screen = new CallScreen({ socket: this.socket });
    await this.socket.connect();
    if (me.permissions.includes('message.read')) {
      this.chat = new ChatPanel({
        api: this.api, socket: this.socket, me, isActive: () => this.idle.recentlyActive(),
      });
      show(byId('messages-view'));
      this.chat.load().catch((failure) => alertUser(`Messages are unavailable: ${failure.message}`));
    }
    if (me.role === 'patient') {
      this.view = new PatientView({ app: this });
    } else if (me.permissions.includes('appointment.read')) {
      this.view = new ClinicianView({ app: this });
    } else {
      notify('This page serves patients and clinical staff; your role has nothing to show here.',
        { sticky: true });
      return;
    }
    await this.view.open();
    byId('main').focus();
  }

  // ---- the call, shared by both views ----

  get call() {
    return this.screen ? this.screen.call : null;
  }

  prepareCall(appointmentId) {
    return this.screen.prepare(appointmentId);
  }

  enterCall(options) {
    this.screen.enter(options);
  }

  leaveCall(options) {
    if (this.screen) {
      this.screen.leave(options);
    }
  }

  // ---- signing out ----

  teardown() {
    if (this.view) {
      this.view.dispose();
      this.view = null;
    }
    if (this.screen) {
      this.screen.dispose();
      this.screen = null;
    }
    if (this.chat) {
      this.chat.dispose();
      this.chat = null;
    }
    if (this.socket) {
      this.socket.close();
      this.socket = null;
    }
    if (this.idle) {
      this.idle.stop();
      this.idle = null;
    }
    this.me = null;
  }

  async signOut() {
    this.teardown();
    await this.api.signOut();
    this.showSignIn();
    notify('You have signed out.');
  }

  signedOut(reason) {
    if (!this.me) {
      return;
    }
    this.teardown();
    this.api.signOut();
    this.showSignIn();
    notify(kSignedOutReasons[reason] || kSignedOutReasons.unauthenticated, { sticky: true });
  }
}

// The guest page is this page at /guest, for people invited to a visit.
if (window.location.pathname === '/guest') {
  new GuestView().boot();
} else {
  new App().boot();
}
