// The REST client. The session itself lives in the HttpOnly th_session
// cookie the daemon sets at sign-in, out of reach of any script; what the
// page keeps is the CSRF token that state-changing requests must carry,
// and only in memory, so it is gone with the tab.

export class ApiError extends Error {
  constructor(status, body) {
    const detail = (body && body.error) || {};
    super(detail.message || `request failed with status ${status}`);
    this.status = status;
    // The machine-readable reason: the message's prefix ("mfa_required").
    this.reason = (detail.message || '').split(':')[0];
  }
}

export class ApiClient {
  // onSignedOut(reason) runs when the daemon answers 401 to a signed-in
  // page: the session ended (idle timeout, expiry, revocation).
  constructor(onSignedOut) {
    this.csrfToken = '';
    this.signedIn = false;
    this.onSignedOut = onSignedOut;
  }

  // background: an automatic request (a refresh after a push), which the
  // daemon does not count as the user's activity for the idle timeout.
  // upload: { file, headers } to send a file's bytes as the body, with its
  // own Content-Type, instead of JSON.
  async request(method, path, { body, background = false, upload } = {}) {
    const headers = { Accept: 'application/json', ...(upload ? upload.headers : {}) };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (method !== 'GET' && this.csrfToken) {
      headers['X-CSRF-Token'] = this.csrfToken;
    }
    if (background) {
      headers['X-Background'] = '1';
    }
    const response = await fetch(path, {
      method,
      headers,
      body: upload ? upload.file : body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    const text = await response.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const failure = new ApiError(response.status, parsed);
      if (response.status === 401 && this.signedIn) {
        this.signedIn = false;
        this.onSignedOut('unauthenticated');
      }
      throw failure;
    }
    return parsed;
  }

  get(path, options) {
    return this.request('GET', path, options);
  }

  post(path, body = {}, options = {}) {
    return this.request('POST', path, { ...options, body });
  }

  // A patient's new document: the file's bytes, its media type and name.
  uploadDocument(patientId, file) {
    return this.request('POST', `/api/v1/patients/${encodeURIComponent(patientId)}/documents`, {
      upload: {
        file,
        headers: {
          'Content-Type': file.type || 'application/octet-stream',
          'X-Document-Name': encodeURIComponent(file.name),
        },
      },
    });
  }

  async signIn(username, password, otpCode) {
    const body = { username, password };
    if (otpCode) {
      body.otp_code = otpCode;
    }
    const reply = await this.post('/api/v1/auth/login', body);
    // reply.token is the same secret as the cookie: not kept anywhere.
    this.csrfToken = reply.csrf_token;
    this.signedIn = true;
    return reply;
  }

  // After a reload the cookie may still hold a live session: /me says so,
  // and hands back its CSRF token.
  async resume() {
    const me = await this.get('/api/v1/me', { background: true });
    this.csrfToken = me.csrf_token || '';
    this.signedIn = true;
    return me;
  }

  // A guest's invitation link: its secret goes in the body, and the guest
  // session comes back in the same HttpOnly cookie as a user's.
  async redeemGuestLink(secret) {
    const reply = await this.post('/api/v1/guest/redeem', { token: secret, cookie: true });
    this.csrfToken = reply.csrf_token;
    this.signedIn = true;
    return reply;
  }

  // The guest's visit, which a reloaded guest page reads to go on with the
  // session its cookie still holds.
  async guestVisit() {
    const visit = await this.get('/api/v1/guest/visit', { background: true });
    this.csrfToken = visit.csrf_token || this.csrfToken;
    this.signedIn = true;
    return visit;
  }

  async signOut() {
    const wasSignedIn = this.signedIn;
    this.signedIn = false;
    if (wasSignedIn) {
      try {
        await this.request('POST', '/api/v1/auth/logout', { body: {}, background: true });
      } catch {
        // Already ended on the server: nothing left to end.
      }
    }
    this.csrfToken = '';
  }
}
