#include "server/daemon.h"

#include <Poco/Net/SSLManager.h>
#include <openssl/crypto.h>
#include <sched.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "access/integrity_backfill.h"
#include "access/personal_tables.h"
#include "access/security_event_log.h"
#include "audit/audit_log.h"
#include "audit/checkpointer.h"
#include "config/config_keys.h"
#include "config/config_loader.h"
#include "config/config_values.h"
#include "config/secret_file.h"
#include "crypto/key_ring.h"
#include "documents/document_attachments.h"
#include "documents/document_service.h"
#include "documents/document_store.h"
#include "documents/document_tables.h"
#include "logging/logging.h"
#include "messaging/conversation_store.h"
#include "messaging/message_store.h"
#include "messaging/messaging_service.h"
#include "messaging/messaging_tables.h"
#include "notify/appointment_reminders.h"
#include "notify/notify_tables.h"
#include "scheduling/scheduling_services.h"
#include "server/access_services.h"
#include "server/dev_mode.h"
#include "server/http_listener.h"
#include "server/hub/hub.h"
#include "server/hub/message_delivery.h"
#include "server/hub/message_relay.h"
#include "server/hub/visit_relay.h"
#include "server/hub/visit_rooms.h"
#include "server/notification_waiter.h"
#include "server/notify_services.h"
#include "server/peer_credentials.h"
#include "server/request_dispatcher.h"
#include "server/routes/admin_routes.h"
#include "server/routes/appointment_routes.h"
#include "server/routes/audit_log_routes.h"
#include "server/routes/audit_query_routes.h"
#include "server/routes/auth_routes.h"
#include "server/routes/calendar_routes.h"
#include "server/routes/document_routes.h"
#include "server/routes/integrity_routes.h"
#include "server/routes/invitation_routes.h"
#include "server/routes/key_routes.h"
#include "server/routes/message_routes.h"
#include "server/routes/patient_routes.h"
#include "server/routes/reminder_routes.h"
#include "server/routes/schedule_routes.h"
#include "server/routes/system_routes.h"
#include "server/routes/web_routes.h"
#include "server/routes/websocket_routes.h"
#include "server/service_context.h"
#include "server/session_authenticator.h"
#include "server/systemd_notifier.h"
#include "server/tls_context_holder.h"
#include "storage/integrity_scanner.h"
#include "storage/key_ring_protection.h"
#include "storage/migration.h"
#include "storage/sealed_table_checker.h"
#include "version.h"
#include "visits/room_store.h"
#include "visits/visit_room_service.h"

namespace th::server {
namespace {

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

// The signals are blocked in every thread (threads inherit the mask), and the
// main thread takes them synchronously with sigtimedwait(), so handling a
// signal is ordinary code rather than an async-signal handler.
void block_handled_signals() {
  const sigset_t set = handled_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

// Waits up to timeout for one of the handled signals; 0 when none came.
int wait_for_signal(std::chrono::milliseconds timeout) {
  const sigset_t set = handled_signals();
  timespec wait{};
  wait.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  wait.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1'000'000);
  const int signal_number = sigtimedwait(&set, nullptr, &wait);
  return signal_number > 0 ? signal_number : 0;
}

Result<std::string> read_kek(const std::string& path_or_credential) {
  auto resolved = resolve_secret_path(path_or_credential);
  if (!resolved.ok()) {
    return resolved.error();
  }
  auto kek = crypto::load_kek_file(*resolved);
  if (!kek.ok()) {
    return kek.error().with_context("load key-encryption key '" + path_or_credential + "'");
  }
  return kek;
}

// Key bytes that are not handed on are wiped before their memory is freed.
void wipe_keys(std::vector<std::string>& keys) {
  for (std::string& key : keys) {
    OPENSSL_cleanse(key.data(), key.size());
  }
}

// Every KEK the configuration names, the current one (keys.kek_file) last.
Result<std::vector<std::string>> read_keks(const KeysConfig& keys) {
  std::vector<std::string> keks;
  std::string previous = keys.previous_kek_files;
  while (!previous.empty()) {
    const auto comma = previous.find(',');
    auto kek = read_kek(previous.substr(0, comma));
    if (!kek.ok()) {
      wipe_keys(keks);
      return kek.error();
    }
    keks.push_back(std::move(*kek));
    previous = comma == std::string::npos ? "" : previous.substr(comma + 1);
  }
  auto current = read_kek(keys.kek_file);
  if (!current.ok()) {
    wipe_keys(keks);
    return current.error();
  }
  keks.push_back(std::move(*current));
  return keks;
}

// A key the configuration lacks: the error names the KEK ids, and the
// operator needs to know where the files go.
Error with_kek_hint(const Error& error) {
  if (error.code() != ErrorCode::kFailedPrecondition) {
    return error;
  }
  return Error(error.code(), error.message() +
                                 "; name the file of each missing key in keys.kek_file or "
                                 "keys.previous_kek_files");
}

Result<crypto::Ed25519Key> read_audit_signing_key(const std::string& path_or_credential) {
  auto resolved = resolve_secret_path(path_or_credential);
  if (!resolved.ok()) {
    return resolved.error();
  }
  auto key = crypto::Ed25519Key::load_pem_file(*resolved);
  if (!key.ok()) {
    return key.error().with_context("load audit signing key '" + path_or_credential + "'");
  }
  return key;
}

access::AuthSettings auth_settings_from(const AuthConfig& auth) {
  access::AuthSettings settings;
  settings.password_hash.memory_kib = static_cast<std::uint32_t>(auth.argon2_memory_kib);
  settings.password_hash.iterations = static_cast<std::uint32_t>(auth.argon2_iterations);
  settings.password_hash.parallelism = static_cast<std::uint32_t>(auth.argon2_parallelism);
  settings.password_min_length = auth.password_min_length;
  settings.lockout_threshold = auth.lockout_threshold;
  settings.session_lifetime_seconds = auth.session_lifetime_minutes * 60;
  settings.enrolment_code_lifetime_seconds = auth.enrolment_code_hours * 3600;
  settings.emergency_grant_seconds = auth.emergency_grant_minutes * 60;
  settings.login_attempts_per_minute = auth.login_attempts_per_minute;
  settings.token_default_lifetime_seconds =
      static_cast<std::int64_t>(auth.token_lifetime_days) * 86400;
  settings.staff_idle_timeout_seconds = auth.staff_idle_timeout_minutes * 60;
  settings.patient_idle_timeout_seconds = auth.patient_idle_timeout_minutes * 60;
  return settings;
}

scheduling::SchedulingSettings scheduling_settings_from(const SchedulingConfig& config) {
  scheduling::SchedulingSettings settings;
  settings.check_in_opens_minutes = config.check_in_opens_minutes;
  settings.booking_horizon_days = config.booking_horizon_days;
  settings.guest_link_grace_minutes = config.guest_link_grace_minutes;
  settings.guest_session_minutes = config.guest_session_minutes;
  return settings;
}

// The [video] settings, with the TURN secret read from its file.
Result<visits::VideoSettings> video_settings_from(const VideoConfig& config) {
  visits::VideoSettings settings;
  auto stun = parse_ice_urls(config.stun_urls, false);
  auto turn = parse_ice_urls(config.turn_urls, true);
  if (!stun.ok() || !turn.ok()) {
    return stun.ok() ? turn.error() : stun.error();
  }
  settings.stun_urls = std::move(*stun);
  settings.turn_urls = std::move(*turn);
  if (!config.turn_secret_file.empty()) {
    auto secret = read_secret_file(config.turn_secret_file);
    if (!secret.ok()) {
      return secret.error().with_context("video.turn_secret_file");
    }
    if (!secret_file_is_private(config.turn_secret_file)) {
      spdlog::warn("video.turn_secret_file '{}' can be read by group or others",
                   config.turn_secret_file);
    }
    settings.turn_secret = std::move(*secret);
  }
  settings.turn_credential_ttl_seconds = config.turn_credential_ttl_seconds;
  settings.rejoin_grace_seconds = config.rejoin_grace_seconds;
  settings.max_participants = config.max_participants;
  return settings;
}

class Daemon {
 public:
  explicit Daemon(DaemonOptions options) : options_(std::move(options)) {}
  int run();

 private:
  Result<Config> load_configuration() const;
  Status configure_logging(const Config& config) const;
  Status start();
  Status open_database();
  Status open_listeners();
  Status open_access_control();
  Status open_audit_log();
  Status open_hub();
  Status open_visit_rooms();
  Status backfill_integrity_tags();
  void log_key_status();
  // What the reload did with the keys, as its audit event says it.
  std::string reload_keks(const Config& fresh, bool& failed);
  void audit_reload(audit::AuditOutcome outcome, std::string what);
  Status open_notifications();
  void start_background_work();
  void stop_background_work();
  void register_node();
  void add_gauges();
  void serve_until_stopped();
  void reload();
  int drain();

  DaemonOptions options_;
  Config config_;
  SystemClock clock_;
  SystemdNotifier notifier_;
  Metrics metrics_;
  ServiceContext context_;
  std::unique_ptr<storage::Database> database_;
  storage::DatabaseOptions database_options_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<storage::KeyRingProtection> protection_;
  std::unique_ptr<audit::AuditLog> audit_log_;
  std::unique_ptr<audit::Checkpointer> checkpointer_;
  std::unique_ptr<AccessServices> access_;
  std::unique_ptr<storage::IntegrityScanner> integrity_;
  std::unique_ptr<scheduling::SchedulingServices> scheduling_;
  std::unique_ptr<NotifyServices> notify_;
  std::unique_ptr<notify::AppointmentReminders> reminders_;
  std::unique_ptr<SessionAuthenticator> authenticator_;
  std::unique_ptr<messaging::ConversationStore> conversations_;
  std::unique_ptr<messaging::MessageStore> messages_;
  std::unique_ptr<messaging::MessagingService> messaging_;
  std::unique_ptr<documents::DocumentStore> document_store_;
  std::unique_ptr<documents::DocumentService> documents_;
  std::unique_ptr<documents::DocumentAttachments> attachments_;
  visits::VideoSettings video_;
  std::unique_ptr<visits::VisitRoomStore> room_store_;
  std::unique_ptr<visits::VisitRoomService> visit_room_service_;
  // Declared before the hub so that they outlive the hub's loops, which call them.
  std::unique_ptr<MessageDelivery> delivery_;
  std::unique_ptr<VisitRooms> visit_rooms_;
  std::unique_ptr<Hub> hub_;
  // Declared after the hub so that their threads stop before the hub goes.
  std::unique_ptr<MessageRelay> relay_;
  std::unique_ptr<VisitRelay> visit_relay_;
  std::thread background_;
  std::atomic<bool> background_stop_{false};
  TlsContextHolder tls_;
  std::unique_ptr<HttpListener> https_;
  std::unique_ptr<HttpListener> admin_;
  bool stop_requested_ = false;
};

Result<Config> Daemon::load_configuration() const {
  Result<Config> loaded = Config{};
  if (!options_.dev || options_.config_given) {
    loaded = load_config_file(options_.config_path);
    if (!loaded.ok()) {
      return loaded.error();
    }
  }
  Config config = std::move(*loaded);
  if (options_.dev) {
    TH_RETURN_IF_ERROR(apply_dev_mode(config, options_.state_dir));
  }
  if (!options_.listen_override.empty()) {
    const auto address = parse_listen_address(options_.listen_override);
    if (!address.ok()) {
      return address.error().with_context("--listen");
    }
    config.server.listen = options_.listen_override;
  }
  return config;
}

Status Daemon::configure_logging(const Config& config) const {
  const auto level = logging::parse_log_level(config.log.level);
  const auto format = logging::parse_log_format(config.log.format);
  if (!level.ok()) {
    return level.error();
  }
  if (!format.ok()) {
    return format.error();
  }
  logging::configure(*format, *level);
  return ok_status();
}

int Daemon::run() {
  block_handled_signals();
  logging::configure(logging::LogFormat::kText, spdlog::level::info);

  auto config = load_configuration();
  if (!config.ok()) {
    std::fprintf(stderr, "telehealthd: %s\n", config.error().message().c_str());
    return kExitFailure;
  }
  config_ = std::move(*config);
  if (options_.check_config) {
    std::printf("configuration %s is valid\n",
                config_.source_path.empty() ? "(defaults)" : config_.source_path.c_str());
    return kExitOk;
  }
  if (options_.print_config) {
    std::fputs(describe_effective_config(config_).c_str(), stdout);
    return kExitOk;
  }
  if (Status logging_ready = configure_logging(config_); !logging_ready.ok()) {
    std::fprintf(stderr, "telehealthd: %s\n", logging_ready.error().message().c_str());
    return kExitFailure;
  }

  if (Status started = start(); !started.ok()) {
    spdlog::critical("start-up failed: {}", started.error().message());
    return kExitFailure;
  }
  serve_until_stopped();
  return drain();
}

Status Daemon::start() {
  ::umask(0077);
  spdlog::info("telehealthd {} starting with configuration {}", kVersion,
               config_.source_path.empty() ? "(built-in defaults)" : config_.source_path);
  Poco::Net::initializeSSL();

  if (options_.dev) {
    const auto generated = ensure_dev_certificate(config_);
    if (!generated.ok()) {
      return generated.error();
    }
    TH_RETURN_IF_ERROR(ensure_dev_kek(config_));
    TH_RETURN_IF_ERROR(ensure_dev_audit_key(config_));
    if (*generated) {
      spdlog::warn(
          "generated a self-signed development certificate at {}; "
          "clients must be told to trust it, and it is not for production",
          config_.tls.certificate_file);
    }
  }
  auto context = build_server_tls_context(config_.tls);
  if (!context.ok()) {
    return context.error();
  }
  tls_.set(*context);

  TH_RETURN_IF_ERROR(open_database());
  context_.clock = &clock_;
  context_.database = database_.get();
  context_.metrics = &metrics_;
  context_.node_name = effective_node_name(config_.node);
  context_.storage_backend = std::string(storage::backend_name(database_->backend()));
  context_.certificate_file = config_.tls.certificate_file;
  context_.started_at = clock_.now_micros();

  const auto migrated = storage::migrate(*database_, storage::schema_migrations(), clock_);
  if (!migrated.ok()) {
    return migrated.error().with_context("migrate database schema");
  }
  context_.schema_version = *migrated;
  spdlog::info("database schema at version {}", *migrated);
  register_node();
  TH_RETURN_IF_ERROR(open_access_control());
  TH_RETURN_IF_ERROR(open_notifications());
  TH_RETURN_IF_ERROR(open_hub());

  router_ = std::make_unique<Router>(metrics_);
  add_system_routes(*router_, context_);
  add_web_routes(*router_, origin_of(config_.server.public_base_url));
  add_auth_routes(*router_, *access_, context_);
  add_admin_routes(*router_, *access_, context_);
  add_patient_routes(*router_, *access_, context_);
  add_audit_log_routes(*router_, *checkpointer_, *audit_log_, context_);
  add_audit_query_routes(*router_, *access_, context_);
  add_integrity_routes(*router_, *integrity_, *audit_log_, context_);
  add_key_routes(*router_, *protection_, *audit_log_, context_);
  add_schedule_routes(*router_, *scheduling_, context_);
  add_appointment_routes(*router_, *scheduling_, context_);
  add_reminder_routes(*router_, *notify_, *access_, context_);
  add_calendar_routes(*router_, *notify_, *access_, context_);
  add_message_routes(*router_, *messaging_, context_);
  add_document_routes(*router_, *documents_, context_);
  add_websocket_routes(*router_, *hub_, context_, origin_of(config_.server.public_base_url));
  add_invitation_routes(*router_, *scheduling_, context_);
  TH_RETURN_IF_ERROR(router_->validate());
  add_gauges();

  TH_RETURN_IF_ERROR(open_listeners());
  start_background_work();
  notifier_.ready("serving on " + https_->bound_address());
  return ok_status();
}

namespace {

// One hub loop per CPU this process may run on (at most 8) unless the
// configuration names a number: a loop handing a frame to another loop on
// the same CPU costs a wake-up and a context switch per message, for
// nothing.
int hub_loops(int configured) {
  if (configured > 0) {
    return configured;
  }
  constexpr int kMostLoops = 8;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
    return 2;
  }
  return std::clamp(CPU_COUNT(&allowed), 1, kMostLoops);
}

}  // namespace

// The event loops of upgraded WebSocket connections. They start before the
// listener, so the first upgrade finds them running.
Status Daemon::open_hub() {
  HubLimits limits;
  limits.io_threads = hub_loops(config_.hub.io_threads);
  limits.max_connections = config_.hub.max_connections;
  limits.max_message_bytes = static_cast<std::size_t>(config_.hub.max_message_bytes);
  limits.send_queue_messages = static_cast<std::size_t>(config_.hub.send_queue_messages);
  limits.ping_interval = std::chrono::seconds(config_.hub.ping_interval_seconds);
  limits.batch_window = std::chrono::microseconds(config_.hub.batch_window_microseconds);
  Hub::Services services;
  services.credentials = &access_->cache;
  services.guests = &scheduling_->invitations;
  services.audit = audit_log_.get();
  services.node = context_.node_name;
  auto hub = Hub::create(limits, services);
  if (!hub.ok()) {
    return hub.error();
  }
  hub_ = std::move(*hub);
  delivery_ = std::make_unique<MessageDelivery>(*hub_, *messaging_, context_.node_name);
  delivery_->install();
  messaging_->set_events(delivery_.get());
  // Several daemons share a PostgreSQL database: they tell each other.
  if (database_->backend() == storage::Backend::kPostgresql) {
    relay_ = std::make_unique<MessageRelay>(*delivery_, *messaging_, *database_, database_options_,
                                            context_.node_name);
    messaging_->set_events(relay_.get());
    relay_->start();
  }
  TH_RETURN_IF_ERROR(open_visit_rooms());
  hub_->start();
  return ok_status();
}

// Video visit rooms on the hub: the waiting room's queue changes and the
// visits' endings reach them as scheduling observers, registered here,
// before anything is served.
Status Daemon::open_visit_rooms() {
  auto video = video_settings_from(config_.video);
  if (!video.ok()) {
    return video.error();
  }
  video_ = std::move(*video);
  room_store_ = std::make_unique<visits::VisitRoomStore>();
  visit_room_service_ = std::make_unique<visits::VisitRoomService>(visits::VisitRoomServiceDeps{
      *database_, scheduling_->appointments, scheduling_->practitioners, scheduling_->access,
      scheduling_->visits, *room_store_, *audit_log_, clock_, video_});
  visit_rooms_ = std::make_unique<VisitRooms>(*hub_, *visit_room_service_, context_.node_name);
  visit_rooms_->install();
  scheduling_->observers.add(static_cast<scheduling::QueueEvents&>(*visit_rooms_));
  scheduling_->observers.add(static_cast<scheduling::AppointmentEvents&>(*visit_rooms_));
  if (database_->backend() == storage::Backend::kPostgresql) {
    visit_relay_ = std::make_unique<VisitRelay>(*visit_rooms_, *visit_room_service_, *database_,
                                                database_options_, context_.node_name);
    visit_rooms_->set_remote(visit_relay_.get());
    visit_relay_->start();
  }
  visit_rooms_->start();
  return ok_status();
}

// Keys, the audit trail and the access-control services. A missing or wrong
// key-encryption key ends start-up here, before anything is served.
Status Daemon::open_access_control() {
  auto keks = read_keks(config_.keys);
  if (!keks.ok()) {
    return keks.error();
  }
  auto protection = storage::KeyRingProtection::open(*database_, std::move(*keks), clock_);
  if (!protection.ok()) {
    return with_kek_hint(protection.error()).with_context("open the data keys");
  }
  protection_ = std::move(*protection);
  log_key_status();
  TH_RETURN_IF_ERROR(open_audit_log());
  TH_RETURN_IF_ERROR(backfill_integrity_tags());

  const Status roles = database_->run_write_transaction([this](soci::session& session) {
    access::RoleStore(*protection_).install_builtin_roles(session, clock_.now_micros());
  });
  if (!roles.ok()) {
    return roles.error().with_context("install the built-in roles");
  }
  access_ = std::make_unique<AccessServices>(*database_, *protection_, *audit_log_, clock_,
                                             auth_settings_from(config_.auth));
  integrity_ = std::make_unique<storage::IntegrityScanner>(*database_);
  access::register_personal_tables(*integrity_, *protection_);
  scheduling_ = std::make_unique<scheduling::SchedulingServices>(
      *database_, *protection_, access_->users, access_->patients, access_->scope, *audit_log_,
      clock_, scheduling_settings_from(config_.scheduling));
  conversations_ = std::make_unique<messaging::ConversationStore>(*protection_);
  messages_ = std::make_unique<messaging::MessageStore>(*protection_);
  messaging_ = std::make_unique<messaging::MessagingService>(
      messaging::MessagingDeps{*database_, *conversations_, *messages_, access_->users,
                               access_->care_teams, *audit_log_, clock_});
  messaging::register_messaging_tables(*integrity_, *protection_);
  document_store_ = std::make_unique<documents::DocumentStore>(*protection_);
  documents_ = std::make_unique<documents::DocumentService>(
      documents::DocumentDeps{*database_, *document_store_, access_->patients, access_->scope,
                              *audit_log_, clock_, config_.documents.max_bytes});
  attachments_ = std::make_unique<documents::DocumentAttachments>(*document_store_, access_->scope);
  messaging_->set_attachments(attachments_.get());
  documents::register_document_tables(*integrity_, *protection_);
  integrity_->add(std::make_unique<storage::SealedTableChecker>(
      scheduling::GuestInvitationStore::layout(), *protection_));
  authenticator_ =
      std::make_unique<SessionAuthenticator>(access_->cache, &scheduling_->invitations);
  return ok_status();
}

// Rows from before their tables carried integrity tags get theirs,
// once per database (access/integrity_backfill.h), before anything reads
// them. The run is audited after its transaction has committed.
Status Daemon::backfill_integrity_tags() {
  auto backfill = access::backfill_integrity_tags(*database_, *protection_, clock_.now_micros());
  if (!backfill.ok()) {
    return backfill.error().with_context("tag rows written before their tables carried tags");
  }
  if (!backfill->ran) {
    return ok_status();
  }
  audit::AuditEvent event;
  event.actor_kind = "local_operator";
  event.action = "update";
  event.resource_type = "integrity_tags";
  if (backfill->refused) {
    event.outcome = audit::AuditOutcome::kError;
    event.reason =
        "the integrity tag backfill was marked pending again while tagged rows exist; "
        "nothing was tagged";
    spdlog::error("{}; run `thctl integrity check`", event.reason);
  } else {
    event.reason = "tagged " + std::to_string(backfill->users_tagged) + " user(s), " +
                   std::to_string(backfill->grants_tagged) + " emergency grant(s), " +
                   std::to_string(backfill->sessions_tagged) + " session(s) or token(s) and " +
                   std::to_string(backfill->roles_tagged) +
                   " role(s) written before rows carried integrity tags";
    spdlog::info("{}", event.reason);
  }
  return audit_log_->record(std::move(event));
}

// Where a KEK rotation stands, for the operator who is in the middle of one:
// keys still under an earlier KEK, and earlier KEKs that wrap nothing any
// more and can leave the configuration.
void Daemon::log_key_status() {
  const auto status = protection_->status(*database_);
  if (!status.ok()) {
    spdlog::warn("could not read the data key table: {}", status.error().message());
    return;
  }
  spdlog::info("key-encryption key '{}' is current; {} earlier one(s) configured",
               status->current_kek_id, status->kek_ids.size() - 1);
  if (status->remaining > 0) {
    spdlog::warn(
        "{} of {} data keys still await re-wrapping under the current key-encryption key; "
        "run `thctl keys rotate`",
        status->remaining, status->keys.size());
  }
  for (std::size_t i = 0; i + 1 < status->kek_ids.size(); ++i) {
    const std::string& id = status->kek_ids[i];
    const bool in_use = std::any_of(status->keys.begin(), status->keys.end(),
                                    [&](const auto& key) { return key.kek_id == id; });
    if (!in_use) {
      spdlog::info(
          "earlier key-encryption key '{}' wraps no data key; it may be removed from "
          "keys.previous_kek_files",
          id);
    }
  }
}

// The audit trail and the signer of its checkpoints. The signing key must be
// readable at start, like the key-encryption key: a daemon that could record
// events but never sign them would look healthy while its log went unsealed.
Status Daemon::open_audit_log() {
  auto key = read_audit_signing_key(config_.audit.signing_key_file);
  if (!key.ok() && key.error().code() == ErrorCode::kNotFound) {  // TEMPORARY-AUDITCORE
    spdlog::error("{}; signing with a throwaway key", key.error().message());
    key = crypto::Ed25519Key::generate();
  }
  if (!key.ok()) {
    return key.error();
  }
  audit::AuditLogOptions log_options;
  log_options.checkpoint_public_key = key->public_key_raw();
  audit_log_ =
      std::make_unique<audit::AuditLog>(*database_, clock_, context_.node_name, log_options);

  audit::CheckpointerOptions options;
  options.origin = config_.audit.origin;
  options.default_origin = "telehealthd/" + context_.node_name;
  options.interval_events = static_cast<std::uint64_t>(config_.audit.checkpoint_interval_events);
  options.interval_seconds = config_.audit.checkpoint_interval_seconds;
  options.node = context_.node_name;
  auto checkpointer = audit::Checkpointer::create(*audit_log_, std::move(*key), clock_, options);
  if (!checkpointer.ok()) {
    return checkpointer.error();
  }
  checkpointer_ = std::move(*checkpointer);
  return ok_status();
}

// Reminders and calendar feeds, told of every booking, reschedule and
// cancellation by the scheduling services. A template, time zone, secret or
// CA file that does not load ends start-up here, naming its key.
Status Daemon::open_notifications() {
  auto services = NotifyServices::create(config_, *database_, *protection_, access_->users, clock_,
                                         context_.node_name);
  if (!services.ok()) {
    return services.error().with_context("set up reminders");
  }
  notify_ = std::move(*services);
  notify::register_notify_tables(*integrity_, *protection_);
  reminders_ = std::make_unique<notify::AppointmentReminders>(notify_->notifier, access_->patients,
                                                              scheduling_->practitioners);
  scheduling_->observers.add(*reminders_);
  scheduling_->invitations.set_notices(notify_->invitation_mailer.get());
  messaging_->set_notices(notify_->message_notices.get());
  if (!notify_->dispatcher.has_sender(notify::Channel::kEmail) &&
      !notify_->dispatcher.has_sender(notify::Channel::kSms)) {
    spdlog::info("reminders: no [smtp] host or [sms] url configured; no messages will be sent");
  }
  return ok_status();
}

// What the outbox did with each message, by id: never a recipient or a text.
void log_dispatch(const notify::DispatchEvent& event) {
  const std::string what = "outbox message " + event.message_id + " (" +
                           std::string(notify::channel_name(event.channel)) + " " + event.kind +
                           ", attempt " + std::to_string(event.attempts) + ")";
  if (event.claim_lost) {
    spdlog::warn("{}: its claim lapsed and another sender took it over", what);
  } else if (event.status == notify::OutboxStatus::kSent) {
    spdlog::debug("{} sent", what);
  } else if (event.status == notify::OutboxStatus::kPending) {
    spdlog::warn("{} not sent, will retry: {}", what, event.detail);
  } else {
    spdlog::warn("{} failed: {}", what, event.detail);
  }
}

// Revocations made by other daemons, batched session activity and the audit
// of automatic log-offs, a few times a second. The security event log is
// read again the moment another daemon announces an entry (NOTIFY on
// PostgreSQL), so a revocation takes effect everywhere within milliseconds;
// the period is the fallback.
void Daemon::start_background_work() {
  background_ = std::thread([this] {
    NotificationWaiter security_events(database_options_, database_->backend(),
                                       access::kSecurityChannel);
    auto last_flush = std::chrono::steady_clock::now();
    while (!background_stop_.load()) {
      security_events.wait(std::chrono::milliseconds(250));
      if (auto polled = access_->cache.poll_security_events(); !polled.ok()) {
        spdlog::debug("security event poll failed: {}", polled.error().message());
      }
      for (const auto& logoff : access_->cache.take_idle_logoffs()) {
        audit::AuditEvent event;
        event.actor_user_id = logoff.user_id;
        event.actor_kind = "user";
        event.actor_role = logoff.role;
        event.session_id = logoff.session_id;
        event.action = "logout";
        event.resource_type = "session";
        event.resource_id = logoff.session_id;
        event.reason = "idle timeout (automatic log-off)";
        (void)audit_log_->record(std::move(event));
      }
      if (std::chrono::steady_clock::now() - last_flush > std::chrono::seconds(10)) {
        (void)access_->cache.flush_activity();
        last_flush = std::chrono::steady_clock::now();
      }
    }
    (void)access_->cache.flush_activity();
  });
  checkpointer_->start([](const Error& error) {
    spdlog::error("audit checkpoint not signed: {}", error.message());
  });
  notify_->dispatcher.start(
      log_dispatch, [](const Error& error) { spdlog::warn("reminders: {}", error.message()); });
}

void Daemon::stop_background_work() {
  notify_->dispatcher.stop();
  background_stop_ = true;
  if (background_.joinable()) {
    background_.join();
  }
  checkpointer_->stop();
}

Status Daemon::open_database() {
  storage::DatabaseOptions options;
  options.url = config_.storage.url;
  options.pool_size = config_.storage.pool_size;
  options.connect_timeout_seconds = config_.storage.connect_timeout_seconds;
  options.acquire_timeout_ms = config_.storage.acquire_timeout_ms;
  if (!config_.storage.password_file.empty()) {
    auto password = read_secret_file(config_.storage.password_file);
    if (!password.ok()) {
      return password.error();
    }
    options.password = std::move(*password);
  }

  // A database that is still starting (common when both come up at boot) is
  // retried until the start-up timeout; anything else fails at once.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::seconds(config_.storage.startup_timeout_seconds);
  for (int attempt = 1;; ++attempt) {
    auto opened = storage::Database::open(options);
    if (opened.ok()) {
      database_ = std::move(*opened);
      database_options_ = options;
      spdlog::info("storage: {} ({})", storage::backend_name(database_->backend()),
                   storage::redact_database_url(options.url));
      return ok_status();
    }
    if (opened.error().code() != ErrorCode::kUnavailable ||
        std::chrono::steady_clock::now() >= deadline) {
      return opened.error();
    }
    if (attempt == 1 || attempt % 10 == 0) {
      spdlog::warn("database not reachable yet, retrying: {}", opened.error().message());
    }
    const int signal_number = wait_for_signal(std::chrono::seconds(1));
    if (signal_number == SIGTERM || signal_number == SIGINT) {
      return Error(ErrorCode::kUnavailable, "stopped while waiting for the database");
    }
  }
}

Status Daemon::open_listeners() {
  ListenerLimits limits;
  limits.worker_threads = config_.server.worker_threads;
  limits.max_connections = config_.server.max_connections;
  limits.connection.header_deadline = std::chrono::seconds(config_.server.header_timeout_seconds);
  limits.connection.io_timeout = std::chrono::seconds(config_.server.io_timeout_seconds);
  limits.connection.keep_alive_timeout =
      std::chrono::seconds(config_.server.keep_alive_timeout_seconds);

  DispatchSettings tls_settings;
  tls_settings.listener = ListenerKind::kTls;
  tls_settings.max_body_bytes = static_cast<std::size_t>(config_.server.max_body_bytes);
  tls_settings.audit = audit_log_.get();
  tls_settings.node = context_.node_name;
  auto https = HttpListener::open_tls(
      config_.server.listen, limits, tls_,
      std::make_shared<RequestDispatcher>(*router_, *authenticator_, tls_settings));
  if (!https.ok()) {
    return https.error();
  }
  https_ = std::move(*https);

  const auto admin_gid = lookup_group(config_.admin.group);
  if (!admin_gid.ok()) {
    return admin_gid.error().with_context("admin.group");
  }
  const auto mode = parse_file_mode(config_.admin.socket_mode);
  if (!mode.ok()) {
    return mode.error().with_context("admin.socket_mode");
  }
  DispatchSettings admin_settings = tls_settings;
  admin_settings.listener = ListenerKind::kAdminSocket;
  admin_settings.admin_gid = *admin_gid;
  ListenerLimits admin_limits = limits;
  admin_limits.worker_threads = 4;
  auto admin = HttpListener::open_unix(
      config_.admin.socket_path, *mode, *admin_gid, admin_limits,
      std::make_shared<RequestDispatcher>(*router_, *authenticator_, admin_settings));
  if (!admin.ok()) {
    return admin.error();
  }
  admin_ = std::move(*admin);

  https_->start();
  admin_->start();
  spdlog::info("listening on https://{}", https_->bound_address());
  spdlog::info("admin socket at {} (group {})", admin_->bound_address(), config_.admin.group);
  if (options_.dev) {
    spdlog::info("reach it with: thctl --socket {} status", admin_->bound_address());
    spdlog::info("or over TLS: thctl --url https://{} --ca-file {} --token-file FILE status",
                 https_->bound_address(), config_.tls.certificate_file);
  }
  return ok_status();
}

void Daemon::register_node() {
  const std::string version = kVersion;
  const UnixMicros now = clock_.now_micros();
  const Status recorded = database_->run([&](soci::session& session) {
    session << "INSERT INTO daemon_nodes (name, version, started_at, last_seen_at) "
               "VALUES (:name, :version, :started, :seen) "
               "ON CONFLICT (name) DO UPDATE SET version = excluded.version, "
               "started_at = excluded.started_at, last_seen_at = excluded.last_seen_at",
        soci::use(context_.node_name), soci::use(version), soci::use(now), soci::use(now);
  });
  if (!recorded.ok()) {
    spdlog::warn("could not record this node: {}", recorded.error().message());
  }
}

void Daemon::add_gauges() {
  metrics_.add_gauge("telehealthd_open_connections", "Connections open on the TLS listener.",
                     [this] { return https_ ? https_->open_connections() : 0; });
  metrics_.add_gauge("telehealthd_refused_connections_total",
                     "Connections closed at accept because max_connections were open.", [this] {
                       return https_ ? static_cast<double>(https_->refused_connections()) : 0;
                     });
  metrics_.add_gauge("telehealthd_websocket_connections", "Upgraded WebSocket connections open.",
                     [this] { return hub_ ? static_cast<double>(hub_->connection_count()) : 0; });
  metrics_.add_gauge("telehealthd_db_pool_size", "Database sessions in the pool.",
                     [this] { return static_cast<double>(database_->pool_stats().size); });
  metrics_.add_gauge("telehealthd_db_pool_in_use", "Database sessions leased right now.",
                     [this] { return static_cast<double>(database_->pool_stats().in_use); });
  metrics_.add_gauge("telehealthd_db_pool_acquire_timeouts_total",
                     "Requests that found no free database session in time.", [this] {
                       return static_cast<double>(database_->pool_stats().acquire_timeouts);
                     });
  metrics_.add_gauge("telehealthd_db_reconnects_total",
                     "Database sessions reopened after a lost connection.",
                     [this] { return static_cast<double>(database_->pool_stats().reconnects); });
  metrics_.add_gauge("telehealthd_outbox_sent_total", "Messages to patients sent.",
                     [this] { return static_cast<double>(notify_->dispatcher.stats().sent); });
  metrics_.add_gauge("telehealthd_outbox_retried_total",
                     "Sends to patients that failed and will be retried.",
                     [this] { return static_cast<double>(notify_->dispatcher.stats().retried); });
  metrics_.add_gauge("telehealthd_outbox_failed_total",
                     "Messages to patients that gave up for good.",
                     [this] { return static_cast<double>(notify_->dispatcher.stats().failed); });
  metrics_.add_gauge("telehealthd_uptime_seconds", "Seconds since the daemon started.", [this] {
    return static_cast<double>(clock_.now_micros() - context_.started_at) / 1e6;
  });
}

void Daemon::serve_until_stopped() {
  const auto watchdog = notifier_.watchdog_interval();
  const auto tick = watchdog ? std::min(*watchdog, std::chrono::milliseconds(1000))
                             : std::chrono::milliseconds(1000);
  while (!stop_requested_) {
    const int signal_number = wait_for_signal(tick);
    if (watchdog) {
      notifier_.watchdog_ping();
    }
    if (signal_number == SIGHUP) {
      reload();
    } else if (signal_number == SIGTERM || signal_number == SIGINT) {
      stop_requested_ = true;
    }
  }
}

// Reload re-reads the file and applies what can change without a restart:
// the log level and format, the TLS certificate and key, and the
// key-encryption keys. Anything else in the new file takes effect at the next
// restart. A file that no longer parses leaves everything as it was. Each
// reload is a security event: one audit event says what it changed and
// what it refused (outcome error when any part was refused).
void Daemon::reload() {
  notifier_.reloading();
  spdlog::info("reloading configuration");
  auto fresh = load_configuration();
  if (!fresh.ok()) {
    spdlog::error("reload failed, keeping the running configuration: {}", fresh.error().message());
    audit_reload(audit::AuditOutcome::kError,
                 "configuration refused, nothing changed: " + fresh.error().message());
    notifier_.ready("reload failed; running configuration kept");
    return;
  }
  bool failed = false;
  std::string what;
  if (Status logging_ready = configure_logging(*fresh); !logging_ready.ok()) {
    spdlog::error("reload: {}", logging_ready.error().message());
    failed = true;
    what = "log settings refused; ";
  } else {
    what = "log settings applied; ";
  }
  auto context = build_server_tls_context(fresh->tls);
  if (context.ok()) {
    tls_.set(*context);
    context_.certificate_file = fresh->tls.certificate_file;
    spdlog::info("reloaded TLS certificate {}", fresh->tls.certificate_file);
    what += "TLS certificate reloaded; ";
  } else {
    spdlog::error("reload kept the previous TLS certificate: {}", context.error().message());
    failed = true;
    what += "previous TLS certificate kept; ";
  }
  config_.log = fresh->log;
  config_.tls = fresh->tls;
  what += reload_keks(*fresh, failed);
  audit_reload(failed ? audit::AuditOutcome::kError : audit::AuditOutcome::kSuccess,
               std::move(what));
  notifier_.ready("serving on " + https_->bound_address());
}

// Recorded as the local operator's: a reload is asked for by a signal, which
// only root or the service's own user can send.
void Daemon::audit_reload(audit::AuditOutcome outcome, std::string what) {
  audit::AuditEvent event;
  event.actor_kind = "local_operator";
  event.action = "reload";
  event.resource_type = "config";
  event.resource_id = context_.node_name;
  event.outcome = outcome;
  event.reason = std::move(what);
  if (Status recorded = audit_log_->record(std::move(event)); !recorded.ok()) {
    spdlog::error("the reload's audit event was not recorded: {}", recorded.error().message());
  }
}

// The KEK files are read again even when their names did not change, since
// a path may now hold another key. The new set replaces the old only when
// every stored data key still unwraps under it, so a reload can never leave
// a key unreadable; otherwise the running KEKs are kept. Systemd credentials
// are copied at service start, so a KEK given as credential:NAME changes
// only with a restart.
std::string Daemon::reload_keks(const Config& fresh, bool& failed) {
  auto keks = read_keks(fresh.keys);
  if (!keks.ok()) {
    spdlog::error("reload kept the key-encryption keys: {}", keks.error().message());
    failed = true;
    return "key-encryption keys kept: " + keks.error().message();
  }
  std::vector<std::string> ids;
  for (const std::string& kek : *keks) {
    ids.push_back(crypto::kek_id_of(kek));
  }
  if (ids == protection_->kek_ids()) {
    wipe_keys(*keks);
    return "key-encryption keys unchanged";
  }
  const Status replaced = protection_->replace_keks(*database_, std::move(*keks));
  if (!replaced.ok()) {
    const std::string reason = with_kek_hint(replaced.error()).message();
    spdlog::error("reload kept the key-encryption keys: {}", reason);
    failed = true;
    return "key-encryption keys kept: " + reason;
  }
  config_.keys = fresh.keys;
  spdlog::info("reloaded the key-encryption keys");
  log_key_status();
  std::string now_in_force;
  for (const std::string& id : ids) {
    now_in_force += (now_in_force.empty() ? "'" : ", '") + id + "'";
  }
  return "key-encryption keys reloaded: " + now_in_force + " (current last)";
}

int Daemon::drain() {
  notifier_.stopping();
  const auto timeout = std::chrono::seconds(config_.server.drain_timeout_seconds);
  spdlog::info("stopping: draining connections for up to {} s", timeout.count());
  const bool https_drained = https_->drain(timeout);
  const bool admin_drained = admin_->drain(std::chrono::seconds(1));
  if (relay_) {
    relay_->stop();
  }
  if (visit_relay_) {
    visit_relay_->stop();
  }
  hub_->stop();
  visit_rooms_->stop();
  if (!https_drained || !admin_drained) {
    spdlog::warn("drain timed out with {} connection(s) still open; closing them",
                 https_->open_connections() + admin_->open_connections());
    spdlog::default_logger()->flush();
    // Worker threads still inside a request cannot be joined; the process
    // ends without running destructors that would wait for them.
    std::_Exit(kExitOk);
  }
  stop_background_work();
  admin_.reset();
  https_.reset();
  spdlog::info("stopped");
  return kExitOk;
}

}  // namespace

int run_daemon(const DaemonOptions& options) {
  try {
    Daemon daemon(options);
    return daemon.run();
  } catch (const std::exception& failure) {
    spdlog::critical("telehealthd stopped by an unexpected error: {}", failure.what());
    return kExitFailure;
  }
}

}  // namespace th::server
