// End-to-end test of a video visit in the browser client, in Debian's
// Chromium driven by playwright-core: a patient and a clinician sign in
// through the page in two browser contexts; the patient checks in and
// waits (and sees the queue position); the clinician admits them; both
// RTCPeerConnections connect and decode each other's video; a chat message
// goes each way, and a document attached by the patient opens, byte for
// byte, from the clinician's link; the clinician shares a screen and the
// patient decodes the new track. Then an invited guest, in a third context, opens a link that
// does not work (and is told so) and their real one (/guest#token=...),
// waits, is admitted, and all three connections of the mesh decode video;
// the clinician sends the patient back to the waiting room (whose call
// stops) and admits them again; the patient shares a screen, which the
// clinician decodes; the clinician ends the visit and the patient's and the
// guest's pages say it ended; the guest's invitation is withdrawn and their
// page says their access ended. Screenshots of every view go to
// TH_OUTPUT_DIR as WHO-VIEW.png. Last, the patient's session is ended on
// the daemon, and the page must sign out with a notice.
//
// Run by tests/integration/test_browser_visit.py, which starts the daemon
// and provisions the accounts, the visit and the guest's invitation,
// passing them in:
//   TH_URL, TH_APPOINTMENT_ID, TH_OUTPUT_DIR, TH_PRACTITIONER_NAME,
//   TH_PATIENT_USERNAME, TH_PATIENT_PASSWORD,
//   TH_CLINICIAN_USERNAME, TH_CLINICIAN_PASSWORD, TH_CLINICIAN_OTP,
//   TH_GUEST_LINK (the path and fragment of the guest's emailed link),
//   TH_INVITATION_ID, TH_FRONT_DESK_TOKEN (to withdraw it),
//   TH_ENROLLING_USERNAME, TH_ENROLLING_PASSWORD (a nurse who has not set up
//   an authenticator yet, and does so on the page)
// Exits 0 when every step passed, 1 with the failing step otherwise.

import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

const url = env('TH_URL');
const appointmentId = env('TH_APPOINTMENT_ID');
const outputDir = env('TH_OUTPUT_DIR');
const kStepTimeoutMs = 20000;

// The flags that work on these machines: new headless mode, no sandbox as
// root, no network but loopback (so no background traffic), fake camera,
// microphone and screen with no permission prompt, and host candidates on
// loopback, the only interface there may be.
const kChromiumFlags = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection', '--mute-audio',
];

// Keeps every RTCPeerConnection the page makes where the test can read
// its state and statistics; the client itself exposes nothing.
function recordPeerConnections() {
  const Original = window.RTCPeerConnection;
  window.__peers = [];
  window.RTCPeerConnection = function (...args) {
    const pc = new Original(...args);
    window.__peers.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Original.prototype;
}

// Inbound video as the page's open connections report it: per connection,
// its state and the frames decoded of each inbound video stream.
async function inboundVideo(page) {
  return page.evaluate(async () => {
    const result = [];
    for (const pc of window.__peers) {
      if (pc.connectionState === 'closed') {
        continue;
      }
      const stats = await pc.getStats();
      const frames = [];
      stats.forEach((report) => {
        if (report.type === 'inbound-rtp' && report.kind === 'video') {
          frames.push(report.framesDecoded || 0);
        }
      });
      result.push({ state: pc.connectionState, frames });
    }
    return result;
  });
}

// Waits until `peers` open connections of the page are all connected and
// each decodes some inbound video: the page's part of a full mesh.
async function waitForMesh(page, peers, what) {
  const deadline = Date.now() + kStepTimeoutMs;
  let seen = [];
  while (Date.now() < deadline) {
    seen = await inboundVideo(page);
    const good = seen.filter((c) => c.state === 'connected' && c.frames.some((f) => f > 0));
    if (seen.length === peers && good.length === peers) {
      return good.map((c) => Math.max(...c.frames));
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`${what}: not ${peers} connected peers decoding video: ${JSON.stringify(seen)}`);
}

// Waits until the page has no open connection left: its call stopped.
async function waitForNoCall(page, what) {
  const deadline = Date.now() + kStepTimeoutMs;
  let seen = [];
  while (Date.now() < deadline) {
    seen = await inboundVideo(page);
    if (seen.length === 0) {
      return;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`${what}: connections still open: ${JSON.stringify(seen)}`);
}

// Waits until some connection of the page is connected and decodes at
// least `streams` inbound videos; returns what it saw.
async function waitForVideo(page, streams, what) {
  const deadline = Date.now() + kStepTimeoutMs;
  let seen = [];
  while (Date.now() < deadline) {
    seen = await inboundVideo(page);
    const good = seen.find((c) => c.state === 'connected' &&
      c.frames.filter((f) => f > 0).length >= streams);
    if (good) {
      return good;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`${what}: no connected peer decoding ${streams} video(s): ${JSON.stringify(seen)}`);
}

// What went over each page's socket, by type (never SDP or candidates),
// printed when a step fails.
const socketLog = [];

function describeFrame(who, direction, text) {
  try {
    const frame = JSON.parse(text);
    const p = frame.payload || {};
    const detail = frame.type === 'signal' ? `${p.kind} ${p.to || p.from || ''}`
      : frame.type === 'error' ? `${p.code} ${p.message} ref=${p.ref}`
        : frame.type === 'room.participant' ? `${p.participant.participant_id} ${p.participant.state}`
          : p.participant_id || '';
    return `${who} ${direction} ${frame.type} ${detail}`;
  } catch {
    return `${who} ${direction} (not JSON)`;
  }
}

function watchSocket(page, who) {
  page.on('websocket', (socket) => {
    const started = Date.now();
    const note = (direction, payload) => {
      socketLog.push(`+${Date.now() - started} ms ${describeFrame(who, direction, payload)}`);
    };
    socket.on('framesent', (frame) => note('->', frame.payload));
    socket.on('framereceived', (frame) => note('<-', frame.payload));
    socket.on('close', () => socketLog.push(`${who} socket closed`));
  });
}

async function signIn(page, username, password, otp) {
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  if (otp) {
    await page.getByLabel('Authenticator code').fill(otp);
  }
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('#account-name').waitFor({ state: 'visible' });
}

async function sendMessage(page, text) {
  await page.getByLabel('Write a message').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

async function waitForMessage(page, text) {
  await page.locator('#message-list li', { hasText: text }).waitFor({ state: 'visible' });
}

// RFC 6238 with the daemon's parameters: HMAC-SHA-1, 30 s steps, 6 digits.
function totp(secretBase32, step = Math.floor(Date.now() / 30000)) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretBase32.replace(/[\s=]/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1] & 15;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// A staff member without an authenticator signs in, is led to enrol one
// (the key shown, a first code, the recovery codes) and reaches the queue.
async function enrolOnThePage(browser, step) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  context.setDefaultTimeout(kStepTimeoutMs);
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.getByLabel('Username').fill(env('TH_ENROLLING_USERNAME'));
    await page.getByLabel('Password').fill(env('TH_ENROLLING_PASSWORD'));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const secret = await page.locator('#mfa-secret', { hasText: /[A-Z2-7]{4}/ }).textContent();
    await page.getByLabel('Code from the app').fill(totp(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('#recovery-codes li').first().waitFor();
    const codes = await page.locator('#recovery-codes li').count();
    if (codes < 1) {
      throw new Error('no recovery codes shown after enrolment');
    }
    await page.getByRole('button', { name: 'I have stored them' }).click();
    await page.locator('#queue-summary', { hasText: /checked in|Nobody/ }).waitFor();
    step(`a nurse enrolled an authenticator on the page (${codes} recovery codes) ` +
      'and reached the queue');
  } finally {
    await context.close();
  }
}

async function openContext(browser, who, pages) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(kStepTimeoutMs);
  await context.addInitScript(recordPeerConnections);
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      console.log(`${who} console ${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => console.log(`${who} page error: ${error.message}`));
  watchSocket(page, who);
  pages[who] = page;
  return page;
}

async function screenshot(page, who, view) {
  const file = path.join(outputDir, `${who}-${view}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
}

async function screenshots(pages, view) {
  for (const [who, page] of Object.entries(pages)) {
    await screenshot(page, who, view);
  }
}

// The patient checks in and waits; the clinician opens the visit and
// admits them; video both ways, a message each way, a shared screen.
async function patientAndClinicianMeet({ patient, clinician }, step) {
  const visit = patient.locator(`li[data-appointment="${appointmentId}"]`);
  await screenshot(patient, 'patient', 'visits');
  await visit.getByRole('button', { name: 'Check in' }).click();
  await patient.locator('#queue-position', { hasText: /You are (next|number \d+)/ }).waitFor();
  const position = await patient.locator('#queue-position').textContent();
  step(`patient waits: "${position}"`);
  await screenshot(patient, 'patient', 'waiting');

  const row = clinician.locator(`tr[data-appointment="${appointmentId}"]`);
  await screenshot(clinician, 'clinician', 'queue');
  await row.getByRole('button', { name: 'Start visit' }).click();
  await clinician.getByRole('button', { name: 'Admit Patient' }).click();
  step('clinician admitted the patient');

  const patientSide = await waitForVideo(patient, 1, 'patient');
  const clinicianSide = await waitForVideo(clinician, 1, 'clinician');
  step(`connected; frames decoded: patient ${patientSide.frames}, ` +
    `clinician ${clinicianSide.frames}`);

  await sendMessage(patient, 'Hello doctor, I can see you.');
  await waitForMessage(clinician, 'Hello doctor, I can see you.');
  await sendMessage(clinician, 'Hello, I can see you too.');
  await waitForMessage(patient, 'Hello, I can see you too.');
  step('a message went each way');

  // A document with a message: uploaded to the patient's record from the
  // page, then opened from the link on the clinician's side.
  const readings = 'Home blood pressure log: 128/82, 131/85\n';
  await patient.getByLabel('Attach a document (PDF, PNG, JPEG or text)').setInputFiles({
    name: 'bp-log.txt', mimeType: 'text/plain', buffer: Buffer.from(readings),
  });
  await sendMessage(patient, 'My readings are attached.');
  const link = clinician.locator('#message-list li', { hasText: 'My readings are attached.' })
    .locator('a', { hasText: 'bp-log.txt' });
  await link.waitFor({ state: 'visible' });
  const opened = await clinician.evaluate(
    async (href) => (await fetch(href, { credentials: 'same-origin' })).text(),
    await link.getAttribute('href'));
  if (opened !== readings) {
    throw new Error(`the attachment opened as ${JSON.stringify(opened)}`);
  }
  step('a document went with a message and opened, byte for byte, on the other side');

  await clinician.getByRole('button', { name: 'Share screen', exact: true }).click();
  await patient.locator('#remote-videos .tile.screen video').waitFor({ state: 'attached' });
  const shared = await waitForVideo(patient, 2, 'patient after screen sharing');
  step(`patient receives the shared screen; frames decoded: ${shared.frames}`);
  // A few more frames, so the screenshots show moving video, not black.
  await patient.waitForTimeout(500);
  await screenshots({ patient, clinician }, 'call');
  await clinician.getByRole('button', { name: 'Stop sharing', exact: true }).click();
  await patient.locator('#remote-videos .tile.screen').waitFor({ state: 'detached' });
  step('the clinician stopped sharing; the patient\'s screen tile went');
}

// A link that does not work says so; the real one leaves no secret in the
// address bar, shows the visit and waits to be admitted.
async function guestWaits(guest, step) {
  await guest.goto(new URL('/guest#token=not-a-real-invitation-secret-at-all-xxxxxxxxxx', url).href);
  await guest.locator('#closed-title', { hasText: 'This link cannot be used' }).waitFor();
  const problem = await guest.locator('#closed-message').textContent();
  if (guest.url().includes('#')) {
    throw new Error(`the refused link stayed in the address bar: ${guest.url()}`);
  }
  step(`an unusable guest link is refused on the page: "${problem}"`);
  await screenshot(guest, 'guest', 'invalid-link');

  // From another document: a link differing only in its fragment would
  // not load the page again.
  await guest.goto('about:blank');
  await guest.goto(new URL(env('TH_GUEST_LINK'), url).href);
  await guest.locator('#queue-position', { hasText: /^Waiting for the clinician/ }).waitFor();
  const details = await guest.locator('#visit-details').textContent();
  if (!details.includes(env('TH_PRACTITIONER_NAME'))) {
    throw new Error(`the guest's page does not name the practitioner: "${details}"`);
  }
  if (guest.url() !== new URL('/guest', url).href) {
    throw new Error(`the guest's address bar still holds the link: ${guest.url()}`);
  }
  const waiting = await guest.locator('#queue-position').textContent();
  step(`the guest opened their link and waits: "${details}" "${waiting}"`);
  await screenshot(guest, 'guest', 'waiting');
}

// The clinician admits the guest: three people, three connections, each
// decoding video at both of its ends.
async function guestJoinsTheCall(pages, step) {
  const { clinician, guest } = pages;
  await clinician.getByRole('button', { name: 'Admit Guest' }).click();
  await guest.locator('#call-view').waitFor({ state: 'visible' });
  const frames = {};
  for (const [who, page] of Object.entries(pages)) {
    frames[who] = await waitForMesh(page, 2, `${who} in the three-way call`);
  }
  step(`the guest is in the call; frames decoded per peer: ${JSON.stringify(frames)}`);
  await guest.waitForTimeout(500);
  await screenshots(pages, 'three-way-call');
}

// Back to the waiting room, the call stopped, then admitted again.
async function patientSentBackAndReadmitted(pages, step) {
  const { patient, clinician, guest } = pages;
  await clinician.getByRole('button', { name: 'Send Patient back to the waiting room' }).click();
  await patient.locator('#waiting-view').waitFor({ state: 'visible' });
  await patient.locator('#call-view').waitFor({ state: 'hidden' });
  await patient.locator('#queue-position', { hasText: /You are (next|number \d+)/ }).waitFor();
  await waitForNoCall(patient, 'patient sent back');
  await waitForMesh(guest, 1, 'guest without the patient');
  const position = await patient.locator('#queue-position').textContent();
  step(`the patient is back in the waiting room, their call stopped: "${position}"`);
  await screenshot(patient, 'patient', 'sent-back');

  await clinician.getByRole('button', { name: 'Admit Patient' }).click();
  await patient.locator('#call-view').waitFor({ state: 'visible' });
  for (const [who, page] of Object.entries(pages)) {
    await waitForMesh(page, 2, `${who} after the patient's return`);
  }
  step('the clinician admitted the patient again; the mesh is whole');
}

async function patientSharesAScreen({ patient, clinician }, step) {
  await patient.getByRole('button', { name: 'Share screen', exact: true }).click();
  await clinician.locator('#remote-videos .tile.screen video').waitFor({ state: 'attached' });
  const shared = await waitForVideo(clinician, 2, 'clinician after the patient shared');
  step(`the clinician receives the patient's screen; frames decoded: ${shared.frames}`);
  await clinician.waitForTimeout(500);
  await screenshot(clinician, 'clinician', 'patient-screen');
}

async function clinicianEndsTheVisit(pages, step) {
  const { patient, clinician, guest } = pages;
  await clinician.getByRole('button', { name: 'End visit', exact: true }).click();
  await clinician.locator('#clinician-view').waitFor({ state: 'visible' });
  await patient.locator('#notice', { hasText: 'The visit has ended.' }).waitFor();
  await patient.locator('#patient-view').waitFor({ state: 'visible' });
  await guest.locator('#closed-title', { hasText: 'The visit has ended' }).waitFor();
  for (const [who, page] of Object.entries(pages)) {
    await waitForNoCall(page, `${who} after the end`);
  }
  step('the clinician ended the visit; the patient\'s and the guest\'s pages say so');
  await screenshots(pages, 'ended');
}

// The guest's invitation is withdrawn by the front desk (through the API,
// as thctl appointment uninvite would): the daemon ends the guest session,
// closes the guest's socket with 4401, and the page says access ended.
async function guestAccessWithdrawn(browser, guest, step) {
  const desk = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    const withdrawn = await desk.request.delete(new URL(
      `/api/v1/appointments/${appointmentId}/invitations/${env('TH_INVITATION_ID')}`, url).href,
    { headers: { Authorization: `Bearer ${env('TH_FRONT_DESK_TOKEN')}` } });
    if (!withdrawn.ok()) {
      throw new Error(`withdrawing the invitation failed: ${withdrawn.status()}`);
    }
  } finally {
    await desk.close();
  }
  await guest.locator('#closed-title', { hasText: 'Your guest access has ended' }).waitFor();
  const notice = await guest.locator('#notice').textContent();
  if (!/invitation was withdrawn/.test(notice)) {
    throw new Error(`no notice of the withdrawn access on the guest's page: "${notice}"`);
  }
  step(`the guest's page closed when their access was withdrawn: "${notice}"`);
  await screenshot(guest, 'guest', 'access-ended');
}

// The session ends on the daemon (signed out elsewhere, here through the
// API with the page's own cookie): the socket closes with 4401 and the
// page goes back to sign-in with a notice.
async function patientSignedOutByTheDaemon(patient, step) {
  const api = patient.context().request;
  const me = await (await api.get(new URL('/api/v1/me', url).href)).json();
  const out = await api.post(new URL('/api/v1/auth/logout', url).href,
    { headers: { 'X-CSRF-Token': me.csrf_token } });
  if (!out.ok()) {
    throw new Error(`signing the patient out failed: ${out.status()}`);
  }
  await patient.locator('#sign-in-view').waitFor({ state: 'visible' });
  const notice = await patient.locator('#notice').textContent();
  if (!/session (was ended|ended elsewhere)/.test(notice)) {
    throw new Error(`no sign-out notice on the patient's page: "${notice}"`);
  }
  step(`the patient's page signed out when the session ended: "${notice}"`);
}

async function main() {
  mkdirSync(outputDir, { recursive: true });
  const started = Date.now();
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    ignoreDefaultArgs: ['--headless'],
    args: kChromiumFlags,
  });
  const pages = {};
  const step = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);
  try {
    const patient = await openContext(browser, 'patient', pages);
    const clinician = await openContext(browser, 'clinician', pages);
    await signIn(patient, env('TH_PATIENT_USERNAME'), env('TH_PATIENT_PASSWORD'));
    await signIn(clinician, env('TH_CLINICIAN_USERNAME'), env('TH_CLINICIAN_PASSWORD'),
      env('TH_CLINICIAN_OTP'));
    step('both signed in through the page');
    await patientAndClinicianMeet(pages, step);

    const guest = await openContext(browser, 'guest', pages);
    await guestWaits(guest, step);
    await guestJoinsTheCall(pages, step);
    await patientSentBackAndReadmitted(pages, step);
    await patientSharesAScreen(pages, step);
    await clinicianEndsTheVisit(pages, step);
    await guestAccessWithdrawn(browser, guest, step);

    await patientSignedOutByTheDaemon(patient, step);
    await enrolOnThePage(browser, step);
    step('passed');
  } catch (failure) {
    console.log(`socket frames:\n  ${socketLog.join('\n  ')}`);
    for (const [who, page] of Object.entries(pages)) {
      const file = path.join(outputDir, `${who}-failure.png`);
      await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`screenshot at failure: ${file}`);
    }
    throw failure;
  } finally {
    await browser.close();
  }
}

main().catch((failure) => {
  console.error(`FAILED: ${failure.stack || failure}`);
  process.exit(1);
});
