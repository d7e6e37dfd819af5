// th_notify_fixture: stands in for the scheduling code in the integration
// tests of reminders until appointments exist. It reads a daemon's
// configuration, opens its database and key ring, and reports one
// appointment change through exactly the call booking, rescheduling and
// cancellation make (AppointmentNotifier::on_appointment_change(), inside a
// write transaction), so the running daemon's dispatcher sends what it
// queued. Not installed; never part of the daemon.
//
//   th_notify_fixture --config FILE --kind booked|rescheduled|cancelled
//       --appointment ID --sequence N --start UNIX_SECONDS --minutes N
//       --practitioner ID --practitioner-name NAME --patient ID
//       [--email ADDRESS] [--phone NUMBER] [--zone IANA] [--initials TEXT]
//       [--count N]
// With --count N, N appointments ID-1 ... ID-N are reported. Prints the
// number of messages queued.
#include <Poco/Net/SSLManager.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "config/config_loader.h"
#include "config/config_values.h"
#include "config/secret_file.h"
#include "crypto/key_ring.h"
#include "server/notify_services.h"
#include "storage/database.h"
#include "storage/key_ring_protection.h"

namespace {

struct Options {
  std::string config;
  std::string kind = "booked";
  std::string appointment;
  std::int64_t sequence = 1;
  std::int64_t start = 0;
  int minutes = 20;
  std::string practitioner;
  std::string practitioner_name = "Dr. Lee";
  th::notify::PatientContact patient;
  int count = 1;
};

th::notify::AppointmentEventKind kind_of(const std::string& name) {
  if (name == "rescheduled") {
    return th::notify::AppointmentEventKind::kRescheduled;
  }
  return name == "cancelled" ? th::notify::AppointmentEventKind::kCancelled
                             : th::notify::AppointmentEventKind::kBooked;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "th_notify_fixture: %s\n", message.c_str());
  return 1;
}

int run(const Options& options) {
  const th::SystemClock clock;
  auto config = th::load_config_file(options.config);
  if (!config.ok()) {
    return fail(config.error().message());
  }
  th::storage::DatabaseOptions database_options;
  database_options.url = config->storage.url;
  database_options.pool_size = 2;
  auto database = th::storage::Database::open(database_options);
  if (!database.ok()) {
    return fail(database.error().message());
  }
  auto kek_path = th::resolve_secret_path(config->keys.kek_file);
  auto kek = kek_path.ok() ? th::crypto::load_kek_file(*kek_path)
                           : th::Result<std::string>(kek_path.error());
  if (!kek.ok()) {
    return fail(kek.error().message());
  }
  auto protection = th::storage::KeyRingProtection::open(**database, {*kek}, clock);
  if (!protection.ok()) {
    return fail(protection.error().message());
  }
  th::access::UserStore users(**protection);
  auto services = th::server::NotifyServices::create(*config, **database, **protection, users,
                                                     clock, "fixture");
  if (!services.ok()) {
    return fail(services.error().message());
  }

  int queued = 0;
  for (int i = 1; i <= options.count; ++i) {
    th::notify::AppointmentSummary change;
    change.kind = kind_of(options.kind);
    change.appointment_id =
        options.count == 1 ? options.appointment : options.appointment + "-" + std::to_string(i);
    change.sequence = options.sequence;
    change.starts_at = options.start * 1'000'000;
    change.ends_at = change.starts_at + options.minutes * 60'000'000LL;
    change.practitioner_id = options.practitioner;
    change.practitioner_name = options.practitioner_name;
    change.patient = options.patient;
    change.changed_at = clock.now_micros();
    auto outcome = (*database)->run_write_transaction([&](soci::session& session) {
      return (*services)->notifier.on_appointment_change(session, change);
    });
    if (!outcome.ok()) {
      return fail(outcome.error().message());
    }
    queued += outcome->queued;
  }
  std::cout << queued << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Poco::Net::initializeSSL();
  Options options;
  CLI::App app{"report appointment changes to the reminders of a daemon's database"};
  app.add_option("--config", options.config)->required();
  app.add_option("--kind", options.kind)
      ->check(CLI::IsMember({"booked", "rescheduled", "cancelled"}));
  app.add_option("--appointment", options.appointment)->required();
  app.add_option("--sequence", options.sequence);
  app.add_option("--start", options.start)->required();
  app.add_option("--minutes", options.minutes);
  app.add_option("--practitioner", options.practitioner)->required();
  app.add_option("--practitioner-name", options.practitioner_name);
  app.add_option("--patient", options.patient.patient_id)->required();
  app.add_option("--email", options.patient.email);
  app.add_option("--phone", options.patient.phone);
  app.add_option("--zone", options.patient.time_zone);
  app.add_option("--initials", options.patient.initials);
  app.add_option("--count", options.count);
  CLI11_PARSE(app, argc, argv);
  const int code = run(options);
  Poco::Net::uninitializeSSL();
  return code;
}
