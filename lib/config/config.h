// Config: every setting of telehealthd, as read from its TOML file.
//
// Each nested struct is one [section] of the file and each member one key.
// The member initializers ARE the documented defaults: a default-constructed
// Config is what the daemon runs with when the file leaves a key out. The key
// table (config_keys.h) names, types, ranges and documents every member; the
// man page telehealthd.toml(5) and the sample config/telehealthd.toml repeat
// it, and a test holds the three in agreement.
//
// Adding a key: add the member here with its default, add one line to the
// table in config_keys.cc, and document it in the sample file and man page.
//
// A plain value: copy it freely; a const Config may be shared between threads.
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace th {

// [server]: the HTTPS listener and its limits.
struct ServerConfig {
  // Address and port to listen on, "ADDR:PORT"; IPv6 as "[::1]:8443".
  std::string listen = "127.0.0.1:8443";
  // Threads serving requests, as many as may wait on the database at
  // once; at most max_connections. Few by default: threads beyond what
  // the cores and the database pool keep busy only wait in epoll, and each
  // request then wakes one of them.
  int worker_threads = 8;
  // Cap on open connections; beyond it new ones are closed at accept.
  int max_connections = 512;
  // Largest request body accepted; larger requests are refused with 413.
  std::int64_t max_body_bytes = 1048576;
  // Deadline for the TLS handshake and a request's head, from the
  // connection's start or the request's first byte: a client trickling its
  // headers is cut off.
  int header_timeout_seconds = 10;
  // Longest wait for a client to send more of a request body or take more
  // of an answer.
  int io_timeout_seconds = 10;
  // How long an idle kept-alive connection stays open.
  int keep_alive_timeout_seconds = 30;
  // How long SIGTERM waits for in-flight requests before closing them.
  int drain_timeout_seconds = 20;
  // Base of links the daemon hands out (for example in emails); empty means
  // "https://" followed by `listen`.
  std::string public_base_url;

  bool operator==(const ServerConfig&) const = default;
};

// [tls]: the server certificate and protocol floor.
struct TlsConfig {
  // PEM certificate chain, leaf first.
  std::string certificate_file = "/etc/telehealthd/tls/cert.pem";
  // PEM private key: a path, or "credential:NAME" for
  // $CREDENTIALS_DIRECTORY/NAME (see secret_file.h).
  std::string key_file = "/etc/telehealthd/tls/key.pem";
  // Lowest protocol version accepted: "1.2" or "1.3".
  std::string min_version = "1.2";
  // OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults).
  // The default is Mozilla's "intermediate" list, guideline 6.0.
  std::string cipher_list =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

  bool operator==(const TlsConfig&) const = default;
};

// [admin]: the local operator's Unix socket, used by thctl.
struct AdminConfig {
  std::string socket_path = "/run/telehealthd/admin.sock";
  // Members of this group, and root, are the local operator.
  std::string group = "telehealthd-admin";
  // Permission bits of the socket as an octal string; see parse_file_mode().
  std::string socket_mode = "0660";

  bool operator==(const AdminConfig&) const = default;
};

// [storage]: the database.
struct StorageConfig {
  // "sqlite://PATH" or a libpq "postgresql://" URI (sslmode is honoured).
  std::string url = "sqlite:///var/lib/telehealthd/telehealth.db";
  // PostgreSQL password: a path or "credential:NAME"; empty for none.
  std::string password_file;
  // Sessions kept open to the database.
  int pool_size = 8;
  // Timeout of one connection attempt.
  int connect_timeout_seconds = 5;
  // How long start-up keeps retrying an unreachable database before the
  // daemon exits non-zero; 0 tries once.
  int startup_timeout_seconds = 60;
  // How long a request waits for a free session before failing with 503.
  int acquire_timeout_ms = 2000;

  bool operator==(const StorageConfig&) const = default;
};

// [log]: what the daemon writes to stderr (the journal under systemd).
struct LogConfig {
  // trace, debug, info, warn, error, critical or off.
  std::string level = "info";
  // "text" or "json" (one object per line).
  std::string format = "text";

  bool operator==(const LogConfig&) const = default;
};

// [node]: this daemon's identity among its peers.
struct NodeConfig {
  // Names this daemon in audit events and metrics; empty means the host name
  // (see effective_node_name()).
  std::string name;

  bool operator==(const NodeConfig&) const = default;
};

// [keys]: the key-encryption keys that protect personal data at rest.
struct KeysConfig {
  // The current key-encryption key (32 random bytes, base64): a path or
  // "credential:NAME". Generate one with `thctl keys generate FILE`.
  std::string kek_file = "/etc/telehealthd/keys/kek";
  // Earlier KEKs still wrapping stored keys during a rotation, separated by
  // commas; empty when no rotation is in progress.
  std::string previous_kek_files;

  bool operator==(const KeysConfig&) const = default;
};

// [auth]: sign-in, sessions and automatic log-off.
struct AuthConfig {
  // Consecutive failed sign-ins that lock an account until it is unlocked.
  int lockout_threshold = 5;
  // Absolute lifetime of a session, whatever its activity.
  int session_lifetime_minutes = 720;
  // Idle timeouts overriding the roles' own (15 min staff, 30 patients); 0 keeps them.
  int staff_idle_timeout_minutes = 0;
  int patient_idle_timeout_minutes = 0;
  // How long a one-time enrolment code stays valid.
  int enrolment_code_hours = 72;
  // How long an emergency-access grant lasts.
  int emergency_grant_minutes = 60;
  // Sign-in attempts accepted per source address and minute.
  int login_attempts_per_minute = 30;
  // Shortest password accepted (NIST SP 800-63B asks at least 8; 15 without MFA).
  int password_min_length = 12;
  // Argon2id cost; OWASP's floor (19 MiB, 2 passes, 1 lane) is the minimum.
  int argon2_memory_kib = 19456;
  int argon2_iterations = 2;
  int argon2_parallelism = 1;
  // Default lifetime of service tokens.
  int token_lifetime_days = 90;

  bool operator==(const AuthConfig&) const = default;
};

// [audit]: signed checkpoints of the tamper-evident audit log.
struct AuditConfig {
  // The Ed25519 private key (PKCS#8 PEM, mode 0600) that signs checkpoints:
  // a path or "credential:NAME". Kept outside the database. Generate one with
  // `openssl genpkey -algorithm ed25519 -out FILE`.
  std::string signing_key_file = "/etc/telehealthd/keys/audit-signing.pem";
  // A checkpoint is signed once this many events were appended since the
  // last one, or after checkpoint_interval_seconds with at least one new
  // event, whichever comes first.
  int checkpoint_interval_events = 1000;
  int checkpoint_interval_seconds = 60;
  // The log's name in its checkpoints (and the key name of their
  // signatures). Empty keeps the origin of the first stored checkpoint, or
  // makes it "telehealthd/<node name>" when there is none yet. Every daemon
  // sharing a database must end up with the same origin.
  std::string origin;

  bool operator==(const AuditConfig&) const = default;
};

// [scheduling]: booking and the waiting room.
struct SchedulingConfig {
  // Check-in opens this many minutes before an appointment's start.
  int check_in_opens_minutes = 30;
  // How many days ahead a visit may be booked.
  int booking_horizon_days = 180;
  // Guest links stay valid until this many minutes after the visit's end.
  int guest_link_grace_minutes = 30;
  // How long the session of a redeemed guest link lasts.
  int guest_session_minutes = 120;

  bool operator==(const SchedulingConfig&) const = default;
};

// [reminders]: messages to patients about their appointments, queued in the
// outbox and sent by email ([smtp]) and SMS ([sms]).
struct RemindersConfig {
  // Minutes before the start at which reminders go out, comma-separated.
  std::string offsets_minutes = "1440,60";
  // Tries before a message is marked failed, and the backoff between them:
  // the first wait, doubling up to the longest.
  int max_attempts = 8;
  int retry_initial_seconds = 60;
  int retry_max_seconds = 3600;
  // How long a daemon's claim on a message keeps others off it; renewed
  // while the daemon is sending, so it bounds only how soon another daemon
  // takes over the messages of one that died.
  int lease_seconds = 120;
  // How often the outbox is checked for due messages (it is also checked
  // right after each booking).
  int poll_interval_seconds = 5;
  // Messages claimed at a time.
  int batch_size = 20;
  // Texts: the clinic's name as messages give it, the link (appended to
  // server.public_base_url; {appointment_id} is replaced), the zone for
  // patients without one, and how dates and times are written (strftime).
  std::string clinic_name = "Your clinic";
  std::string link_path = "/visits/{appointment_id}";
  std::string default_time_zone = "UTC";
  std::string date_format = "%A, %B %-d, %Y";
  std::string time_format = "%-I:%M %p %Z";
  // Templates, with {clinic} {date} {time} {practitioner} {link}. They give
  // the minimum: never the reason for the visit.
  std::string booked_subject = "Your telehealth visit on {date}";
  std::string booked_body =
      "Your telehealth visit with {practitioner} is booked for {date} at {time}.\n\n"
      "Details: {link}\n\n{clinic}\n";
  std::string booked_sms = "{clinic}: visit with {practitioner} booked for {date}, {time}. {link}";
  std::string rescheduled_subject = "Your telehealth visit has moved to {date}";
  std::string rescheduled_body =
      "Your telehealth visit with {practitioner} is now on {date} at {time}.\n\n"
      "Details: {link}\n\n{clinic}\n";
  std::string rescheduled_sms =
      "{clinic}: your visit with {practitioner} moved to {date}, {time}. {link}";
  std::string cancelled_subject = "Your telehealth visit on {date} is cancelled";
  std::string cancelled_body =
      "Your telehealth visit with {practitioner} on {date} at {time} is cancelled.\n\n"
      "To book again: {link}\n\n{clinic}\n";
  std::string cancelled_sms =
      "{clinic}: your visit with {practitioner} on {date}, {time} is cancelled. {link}";
  std::string reminder_subject = "Reminder: telehealth visit on {date} at {time}";
  std::string reminder_body =
      "A reminder of your telehealth visit with {practitioner} on {date} at {time}.\n\n"
      "Join here: {link}\n\n{clinic}\n";
  std::string reminder_sms =
      "{clinic}: reminder of your visit with {practitioner} on {date}, {time}. {link}";
  // The email inviting a guest to a video visit, and the path of its
  // single-use link, in which {token} is the link's secret.
  std::string invitation_subject = "Invitation: telehealth visit on {date} at {time}";
  std::string invitation_body =
      "You are invited to join a telehealth visit with {practitioner} on {date} at {time}.\n\n"
      "Join here (the link works once): {link}\n\n{clinic}\n";
  std::string invitation_link_path = "/guest#token={token}";
  // The email telling a member that a secure message has waited unread
  // this long (0: never), with {clinic} {link}. It carries nothing of the
  // message.
  int message_notice_delay_seconds = 900;
  std::string message_notice_subject = "A secure message is waiting for you";
  std::string message_notice_body =
      "You have a new secure message. Sign in to read it: {link}\n\n"
      "For your privacy this email does not include the message.\n\n{clinic}\n";

  bool operator==(const RemindersConfig&) const = default;
};

// [smtp]: the mail submission server reminders go through. STARTTLS is
// required; the server's certificate is verified.
struct SmtpConfig {
  // Empty sends no email.
  std::string host;
  int port = 587;
  // The From address: "Clinic <reminders@clinic.example>" or a bare address.
  std::string from;
  // AUTH credentials: the username here, the password in a file (a path or
  // "credential:NAME"); both empty for none.
  std::string username;
  std::string password_file;
  // PEM CA certificates that the server's certificate must chain to; empty
  // uses the system's.
  std::string ca_file;
  // Connect timeout, and the timeout of each read or write.
  int timeout_seconds = 30;

  bool operator==(const SmtpConfig&) const = default;
};

// [sms]: the SMS provider's HTTPS API.
struct SmsConfig {
  // The endpoint messages are POSTed to (https:// only); empty sends no SMS.
  std::string url;
  // The sender number or name, as {from} in the body template.
  std::string from;
  // The request body: {to}, {from} and {body} become JSON strings, or
  // percent-encoded values for a form content type.
  std::string body_template = "{\"to\": {to}, \"from\": {from}, \"body\": {body}}";
  std::string content_type = "application/json";
  // The authentication header: its name, its scheme (Bearer, Basic, or
  // empty for the bare secret) and the file holding the secret.
  std::string auth_header = "Authorization";
  std::string auth_scheme = "Bearer";
  std::string credentials_file;
  std::string ca_file;
  int timeout_seconds = 30;

  bool operator==(const SmsConfig&) const = default;
};

// [calendar]: practitioners' private iCalendar feeds and the invitations
// attached to reminder emails.
struct CalendarConfig {
  // What an event says of the patient: "none", or "initials".
  std::string attendee = "none";
  // The events' title, and the feed's name in calendar clients.
  std::string event_summary = "Telehealth visit";
  std::string calendar_name = "Telehealth visits";
  // The right-hand side of event UIDs ("<appointment id>@<uid_domain>"):
  // changing it makes clients see every event as new.
  std::string uid_domain = "telehealthd";
  // The feed covers appointments starting from past_days ago to
  // future_days ahead.
  int past_days = 30;
  int future_days = 365;

  bool operator==(const CalendarConfig&) const = default;
};

// [hub]: the WebSocket endpoint (/api/v1/ws) and its connections.
struct HubConfig {
  // Event-loop threads serving every upgraded connection.
  int io_threads = 0;  // 0: one per CPU the daemon may run on, at most 8
  // Upgraded connections held at once; further upgrades get 503.
  int max_connections = 20000;
  // Largest message a client may send (all fragments together).
  int max_message_bytes = 65536;
  // Messages queued for one connection before it is closed as too slow.
  int send_queue_messages = 256;
  // A connection silent this long is pinged; twice this long, closed.
  int ping_interval_seconds = 30;
  // Under steady traffic, the loops sleep this long between turns so that
  // one wake-up serves many messages; 0: never.
  int batch_window_microseconds = 200;

  bool operator==(const HubConfig&) const = default;
};

// [video]: video visits. Media flows between browsers (WebRTC); the daemon
// hands out the ICE servers and short-lived TURN credentials in coturn's
// shared-secret scheme (use-auth-secret).
struct VideoConfig {
  // Comma-separated stun: / stuns: URLs; empty offers none.
  std::string stun_urls;
  // Comma-separated turn: / turns: URLs; empty offers no TURN server.
  std::string turn_urls;
  // The secret shared with the TURN server (its static-auth-secret): a file
  // or "credential:NAME", never inline. Required when turn_urls is set.
  std::string turn_secret_file;
  // How long a TURN credential stays valid; clients refresh before then.
  int turn_credential_ttl_seconds = 3600;
  // How long a participant who lost the connection keeps their place.
  int rejoin_grace_seconds = 60;
  // People in one room at once (a full mesh: at most 6).
  int max_participants = 6;

  bool operator==(const VideoConfig&) const = default;
};

// [documents]: patients' uploaded documents.
struct DocumentsConfig {
  // Largest document accepted; the upload route's body limit, checked
  // before anything is stored.
  std::int64_t max_bytes = 10485760;

  bool operator==(const DocumentsConfig&) const = default;
};

struct Config {
  ServerConfig server;
  TlsConfig tls;
  AdminConfig admin;
  StorageConfig storage;
  LogConfig log;
  NodeConfig node;
  KeysConfig keys;
  AuthConfig auth;
  AuditConfig audit;
  SchedulingConfig scheduling;
  RemindersConfig reminders;
  SmtpConfig smtp;
  SmsConfig sms;
  CalendarConfig calendar;
  HubConfig hub;
  VideoConfig video;
  DocumentsConfig documents;

  // Where the settings came from: the file loaded (empty for the built-in
  // defaults) and the dotted names of the keys that file set.
  std::string source_path;
  std::set<std::string> keys_from_file;

  bool operator==(const Config&) const = default;
};

}  // namespace th
