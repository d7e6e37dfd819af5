// Secure messages: the conversations come from REST, their traffic over
// the socket. Each conversation keeps its cursor (the highest seq shown),
// so a reconnect resubscribes from there and the daemon sends exactly what
// was missed: nothing lost, nothing twice. A message may carry a document:
// the file is uploaded to the conversation's patient's record first, then
// sent by id; attachments are links to the document's content, which the
// daemon checks against the reader's own scope.
import { byId, clear, el } from './dom.js';
import { alertUser } from './notices.js';

function randomRef() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ChatPanel {
  // isActive(): whether the user is at the page now; read marks are sent
  // only then, since the daemon counts them as the user's activity.
  constructor({ api, socket, me, isActive }) {
    this.api = api;
    this.socket = socket;
    this.me = me;
    this.isActive = isActive;
    this.conversations = new Map();
    this.messages = new Map();
    this.cursors = new Map();
    this.selected = '';
    this.select = byId('conversation-select');
    this.list = byId('message-list');
    this.form = byId('message-form');
    this.input = byId('message-input');
    this.file = byId('message-file');
    this.attachmentNames = new Map();  // document id -> file name, once read
    this.unsubscribe = [
      socket.on('message', (payload) => this.received(payload)),
    ];
    socket.onReconnect(() => this.subscribe().catch(() => {}));
    // The form outlives this panel (a next sign-in builds a new one).
    this.listening = new AbortController();
    const signal = this.listening.signal;
    this.select.addEventListener('change', () => this.show(this.select.value), { signal });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.send();
    }, { signal });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        this.send();
      }
    }, { signal });
  }

  async load() {
    const reply = await this.api.get('/api/v1/conversations', { background: true });
    for (const conversation of reply.items) {
      this.conversations.set(conversation.id, conversation);
      if (!this.cursors.has(conversation.id)) {
        this.cursors.set(conversation.id, 0);
        this.messages.set(conversation.id, []);
      }
    }
    this.renderChoices();
    await this.subscribe();
    const wanted = this.wantedPatient ? this.findForPatient(this.wantedPatient) : null;
    if (wanted && wanted.id !== this.selected) {
      this.show(wanted.id);
    } else if (!this.selected && reply.items.length > 0) {
      this.show(reply.items[0].id);
    }
  }

  async subscribe() {
    if (this.cursors.size === 0) {
      return;
    }
    await this.socket.request('subscribe', { cursors: Object.fromEntries(this.cursors) });
  }

  label(conversation) {
    if (conversation.subject) {
      return conversation.subject;
    }
    return conversation.kind === 'care' ? 'Care conversation' : 'Staff conversation';
  }

  renderChoices() {
    clear(this.select);
    if (this.conversations.size === 0) {
      this.select.append(el('option', { value: '' }, 'No conversations yet'));
    }
    for (const conversation of this.conversations.values()) {
      this.select.append(el('option', { value: conversation.id }, this.label(conversation)));
    }
    this.select.value = this.selected;
  }

  // The conversation about one patient: the visit's chat. A patient with
  // none yet starts one with the visit's practitioner.
  findForPatient(patientId) {
    for (const conversation of this.conversations.values()) {
      if (conversation.kind === 'care' && conversation.patient_id === patientId) {
        return conversation;
      }
    }
    return null;
  }

  async openForPatient(patientId, practitionerId) {
    this.wantedPatient = patientId;
    let found = this.findForPatient(patientId);
    if (!found) {
      await this.load();  // it may have been started since sign-in
      found = this.findForPatient(patientId);
    }
    if (found) {
      this.show(found.id);
      return;
    }
    if (this.me.role !== 'patient' || !practitionerId) {
      return;  // shown as soon as the patient's first message arrives
    }
    const created = await this.api.post('/api/v1/conversations', {
      kind: 'care', patient_id: patientId, members: [practitionerId], subject: 'Visit',
    });
    this.conversations.set(created.id, created);
    this.cursors.set(created.id, 0);
    this.messages.set(created.id, []);
    this.renderChoices();
    this.show(created.id);
    await this.subscribe();
  }

  show(conversationId) {
    this.selected = conversationId;
    this.select.value = conversationId;
    clear(this.list);
    for (const message of this.messages.get(conversationId) || []) {
      this.list.append(this.render(message));
    }
    this.list.scrollTop = this.list.scrollHeight;
    this.markRead();
  }

  senderName(message) {
    if (message.sender_id === this.me.user_id) {
      return 'You';
    }
    return this.me.role === 'patient' ? 'Care team' : 'Patient or care team';
  }

  render(message) {
    const sent = new Date(message.sent_at / 1000);
    return el('li', { class: message.sender_id === this.me.user_id ? 'mine' : 'theirs' },
      el('span', { class: 'sender' }, this.senderName(message)),
      el('time', { datetime: sent.toISOString() },
        sent.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' })),
      el('p', { class: 'body' }, message.body),
      this.renderAttachments(message.attachments || []));
  }

  // One download link per attachment, named once its metadata is read (a
  // read the daemon audits; a document outside the reader's scope stays
  // unnamed, and opening it is refused).
  renderAttachments(ids) {
    if (ids.length === 0) {
      return null;
    }
    return el('ul', { class: 'attachments' }, ids.map((id, index) => {
      const path = `/api/v1/documents/${encodeURIComponent(id)}`;
      const link = el('a', { href: `${path}/content`, download: true },
        this.attachmentNames.get(id) || `Attachment ${index + 1}`);
      if (!this.attachmentNames.has(id)) {
        this.api.get(path, { background: true })
          .then((metadata) => {
            this.attachmentNames.set(id, metadata.file_name);
            link.textContent = metadata.file_name;
          })
          .catch(() => { link.textContent = `Attachment ${index + 1} (not available to you)`; });
      }
      return el('li', {}, link);
    }));
  }

  received(message) {
    if (!this.conversations.has(message.conversation_id)) {
      // A conversation someone else just started: learn it, then resubscribe.
      this.load().catch(() => {});
      return;
    }
    const cursor = this.cursors.get(message.conversation_id) || 0;
    if (message.seq <= cursor) {
      return;
    }
    this.cursors.set(message.conversation_id, message.seq);
    this.messages.get(message.conversation_id).push(message);
    if (message.conversation_id === this.selected) {
      this.list.append(this.render(message));
      this.list.scrollTop = this.list.scrollHeight;
      this.markRead();
    }
  }

  markRead() {
    const seq = this.cursors.get(this.selected) || 0;
    if (seq > 0 && this.isActive() && document.visibilityState === 'visible') {
      this.socket.request('message.read', { conversation_id: this.selected, seq }).catch(() => {});
    }
  }

  // The chosen file, uploaded to the conversation's patient's record; no
  // attachments when none is chosen. Staff conversations concern no
  // patient, so they take no new uploads.
  async uploadChosenFile() {
    const file = this.file.files[0];
    if (!file) {
      return [];
    }
    const conversation = this.conversations.get(this.selected);
    if (!conversation || !conversation.patient_id) {
      throw new Error('documents can be attached only in a conversation about a patient');
    }
    const uploaded = await this.api.uploadDocument(conversation.patient_id, file);
    this.attachmentNames.set(uploaded.id, uploaded.file_name);
    return [uploaded.id];
  }

  async send() {
    const body = this.input.value.trim();
    if (!body || !this.selected) {
      return;
    }
    try {
      const attachments = await this.uploadChosenFile();
      await this.socket.request('message.send', {
        conversation_id: this.selected, body, client_ref: randomRef(), attachments,
      });
      this.input.value = '';
      this.file.value = '';
    } catch (failure) {
      alertUser(`The message was not sent: ${failure.message}`);
    }
  }

  dispose() {
    this.listening.abort();
    for (const stop of this.unsubscribe) {
      stop();
    }
    clear(this.list);
    clear(this.select);
  }
}
