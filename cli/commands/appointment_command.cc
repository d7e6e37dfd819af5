// thctl appointment and thctl schedule: the front desk's view of bookings.
// `appointment list` filters appointments, `appointment show` reads one,
// `appointment cancel` cancels one with a reason, `appointment invite`,
// `invitations` and `uninvite` manage the guests of a video visit, and
// `schedule day` prints a practitioner's day. Times are shown in --tz (an IANA zone; the
// practitioner's own for `schedule day`, UTC otherwise). These read patient
// data, so they need a token of a role holding appointment.read (front desk,
// clinical staff); the local operator has none.
#include <memory>

#include "commands/command.h"

namespace th::cli {
namespace {

const std::vector<Column> kAppointmentColumns = {
    {"id", "id"},
    {"start", "start"},
    {"end", "end"},
    {"status", "status"},
    {"visit_type", "visit type"},
    {"practitioner_id", "practitioner"},
    {"patient_id", "patient"},
    {"urgent", "urgent"},
};

struct AppointmentOptions {
  std::string id;
  std::string practitioner;
  std::string patient;
  std::string date;
  std::string status;
  std::string tz;
  std::string reason;
  std::string email;
  std::string relationship;
  std::string invitation;
};

const std::vector<Column> kInvitationColumns = {
    {"id", "id"},         {"relationship", "relationship"}, {"email", "email"},
    {"status", "status"}, {"expires_at", "expires"},        {"created_by", "invited by"},
};

// `path` with "name=value" added to its query, when value is not empty.
std::string with_query(const std::string& path, std::string_view name, std::string_view value) {
  const std::string pair = query_string(name, value);
  if (pair.empty()) {
    return path;
  }
  return path + (path.find('?') == std::string::npos ? "?" : "&") + pair.substr(1);
}

Status show_appointments(CommandEnv& env, ApiClient& client, const std::string& path) {
  auto appointments = get_items(client, path);
  if (!appointments.ok()) {
    return appointments.error();
  }
  show_listing(env, *appointments, kAppointmentColumns);
  return ok_status();
}

Status list_appointments(CommandEnv& env, ApiClient& client, const AppointmentOptions& options) {
  std::string path = "/api/v1/appointments";
  path = with_query(path, "practitioner", options.practitioner);
  path = with_query(path, "patient", options.patient);
  path = with_query(path, "date", options.date);
  path = with_query(path, "status", options.status);
  return show_appointments(env, client, with_query(path, "tz", options.tz));
}

Status show_appointment(CommandEnv& env, ApiClient& client, const AppointmentOptions& options) {
  auto id = path_segment(options.id, "an appointment id");
  if (!id.ok()) {
    return id.error();
  }
  auto appointment = client.get_object(with_query("/api/v1/appointments/" + *id, "tz", options.tz));
  if (!appointment.ok()) {
    return appointment.error();
  }
  std::vector<Column> columns = kAppointmentColumns;
  columns.push_back({"booked_by", "booked by"});
  columns.push_back({"checked_in_at", "checked in"});
  columns.push_back({"cancelled_by", "cancelled by"});
  columns.push_back({"reason", "reason"});
  show_record(env, *appointment, columns);
  return ok_status();
}

Status cancel_appointment(CommandEnv& env, ApiClient& client, const AppointmentOptions& options) {
  auto id = path_segment(options.id, "an appointment id");
  if (!id.ok()) {
    return id.error();
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("reason", options.reason);
  auto appointment = call_object(client, "POST", "/api/v1/appointments/" + *id + "/cancel", body);
  if (!appointment.ok()) {
    return appointment.error();
  }
  show_record(env, *appointment, kAppointmentColumns);
  return ok_status();
}

// The invitation's link goes to the invitee by email only; the reply, and
// so this output, never holds it.
Status invite_guest(CommandEnv& env, ApiClient& client, const AppointmentOptions& options) {
  auto id = path_segment(options.id, "an appointment id");
  if (!id.ok()) {
    return id.error();
  }
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("email", options.email);
  body->set("relationship", options.relationship);
  auto invitation = call_object(
      client, "POST", with_query("/api/v1/appointments/" + *id + "/invitations", "tz", options.tz),
      body);
  if (!invitation.ok()) {
    return invitation.error();
  }
  show_record(env, *invitation, kInvitationColumns);
  return ok_status();
}

Status list_invitations(CommandEnv& env, ApiClient& client, const AppointmentOptions& options) {
  auto id = path_segment(options.id, "an appointment id");
  if (!id.ok()) {
    return id.error();
  }
  auto invitations = get_items(
      client, with_query("/api/v1/appointments/" + *id + "/invitations", "tz", options.tz));
  if (!invitations.ok()) {
    return invitations.error();
  }
  show_listing(env, *invitations, kInvitationColumns);
  return ok_status();
}

Status uninvite_guest(CommandEnv& env, ApiClient& client, const AppointmentOptions& options) {
  auto id = path_segment(options.id, "an appointment id");
  auto invitation = path_segment(options.invitation, "an invitation id");
  if (!id.ok() || !invitation.ok()) {
    return id.ok() ? invitation.error() : id.error();
  }
  auto reply =
      call_object(client, "DELETE", "/api/v1/appointments/" + *id + "/invitations/" + *invitation);
  if (!reply.ok()) {
    return reply.error();
  }
  show_done(env, *reply, "revoked invitation '" + options.invitation + "'");
  return ok_status();
}

Status day_schedule(CommandEnv& env, ApiClient& client, const AppointmentOptions& options) {
  auto id = path_segment(options.practitioner, "a practitioner's user id");
  if (!id.ok()) {
    return id.error();
  }
  std::string path = "/api/v1/practitioners/" + *id + "/schedule";
  path = with_query(path, "date", options.date);
  return show_appointments(env, client, with_query(path, "tz", options.tz));
}

}  // namespace

void register_appointment_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<AppointmentOptions>();
  CLI::App* appointment =
      app.add_subcommand("appointment", "List, read and cancel appointments; invite guests");
  appointment->require_subcommand(1);

  CLI::App* list =
      add_verb(*appointment, "list", "List appointments", env,
               [&env, options](ApiClient& c) { return list_appointments(env, c, *options); });
  list->add_option("--practitioner", options->practitioner, "user ID of the practitioner");
  list->add_option("--patient", options->patient, "ID of the patient");
  list->add_option("--date", options->date, "only that day, YYYY-MM-DD in --tz");
  list->add_option("--status", options->status, "scheduled, checked_in, in_progress, ...");
  list->add_option("--tz", options->tz, "time zone to show times in (default UTC)");

  CLI::App* show =
      add_verb(*appointment, "show", "Show one appointment", env,
               [&env, options](ApiClient& c) { return show_appointment(env, c, *options); });
  show->add_option("id", options->id, "ID of the appointment")->required();
  show->add_option("--tz", options->tz, "time zone to show times in (default UTC)");

  CLI::App* cancel =
      add_verb(*appointment, "cancel", "Cancel an appointment, saying why", env,
               [&env, options](ApiClient& c) { return cancel_appointment(env, c, *options); });
  cancel->add_option("id", options->id, "ID of the appointment")->required();
  cancel->add_option("--reason", options->reason, "why it is cancelled (kept encrypted)")
      ->required();

  CLI::App* invite =
      add_verb(*appointment, "invite", "Invite a guest to a video visit by email", env,
               [&env, options](ApiClient& c) { return invite_guest(env, c, *options); });
  invite->add_option("id", options->id, "ID of the appointment")->required();
  invite->add_option("--email", options->email, "the guest's email address")->required();
  invite->add_option("--relationship", options->relationship, "who the guest is")
      ->required()
      ->check(CLI::IsMember({"family_member", "caregiver", "interpreter"}));
  invite->add_option("--tz", options->tz, "time zone to show times in (default UTC)");

  CLI::App* invitations =
      add_verb(*appointment, "invitations", "List the guests invited to a visit", env,
               [&env, options](ApiClient& c) { return list_invitations(env, c, *options); });
  invitations->add_option("id", options->id, "ID of the appointment")->required();
  invitations->add_option("--tz", options->tz, "time zone to show times in (default UTC)");

  CLI::App* uninvite =
      add_verb(*appointment, "uninvite", "Revoke a guest's invitation and session", env,
               [&env, options](ApiClient& c) { return uninvite_guest(env, c, *options); });
  uninvite->add_option("id", options->id, "ID of the appointment")->required();
  uninvite->add_option("invitation", options->invitation, "ID of the invitation")->required();
}

void register_schedule_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<AppointmentOptions>();
  CLI::App* schedule = app.add_subcommand("schedule", "A practitioner's day");
  schedule->require_subcommand(1);

  CLI::App* day =
      add_verb(*schedule, "day", "List a practitioner's appointments of one day", env,
               [&env, options](ApiClient& c) { return day_schedule(env, c, *options); });
  day->add_option("--practitioner", options->practitioner, "user ID of the practitioner")
      ->required();
  day->add_option("--date", options->date, "the day, YYYY-MM-DD (default today)");
  day->add_option("--tz", options->tz, "time zone of the day (default the practitioner's)");
}

}  // namespace th::cli
