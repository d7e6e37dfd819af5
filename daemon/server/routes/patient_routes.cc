#include "server/routes/patient_routes.h"

#include "server/json_fields.h"
#include "server/routes/route_helpers.h"

namespace th::server {
namespace {

Poco::JSON::Object::Ptr demographics_json(const access::Patient& patient) {
  // What front desk and billing may see: identity and contact, no clinical content.
  return patient_json(patient);
}

Result<ApiResponse> create_patient(AccessServices& access, ServiceContext& context,
                                   ApiRequest& request) {
  TH_JSON_BODY(body, request);
  access::Patient patient;
  struct Field {
    const char* name;
    std::string access::Patient::*member;
    bool required;
  };
  static constexpr Field kFields[] = {
      {"mrn", &access::Patient::mrn, true},
      {"given_name", &access::Patient::given_name, true},
      {"family_name", &access::Patient::family_name, true},
      {"birth_date", &access::Patient::birth_date, true},
      {"sex", &access::Patient::sex, true},
      {"state", &access::Patient::state, true},
      {"phone", &access::Patient::phone, false},
      {"email", &access::Patient::email, false},
      {"address", &access::Patient::address, false},
  };
  for (const Field& field : kFields) {
    auto value =
        field.required ? required_string(body, field.name) : optional_string(body, field.name);
    if (!value.ok()) {
      return value.error();
    }
    patient.*field.member = std::move(*value);
  }
  TH_ASSIGN_OR_RETURN(created,
                      access.directory.create_patient(patient, caller_of(request, context)));
  return ApiResponse::json(201, patient_json(created));
}

// The reply names each new record by id and MRN only: enough to match it to
// the file's rows without sending the file back.
Result<ApiResponse> import_patients(AccessServices& access, ServiceContext& context,
                                    ApiRequest& request) {
  std::vector<access::ImportProblem> problems;
  auto created =
      access.directory.import_patients(request.body, problems, caller_of(request, context));
  if (!created.ok()) {
    return import_refusal_response(created.error(), problems);
  }
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& patient : *created) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
    item->set("id", patient.id);
    item->set("mrn", patient.mrn);
    items->add(item);
  }
  return items_response(items);
}

// Reads one patient under the scope rules, audits the outcome, and only
// then lets the data out.
Result<ApiResponse> read_patient(AccessServices& access, ServiceContext& context,
                                 ApiRequest& request, access::PatientDataKind kind) {
  const access::Caller caller = caller_of(request, context);
  const std::string& wanted = request.path_params["id"];
  audit::AuditEvent event =
      caller.event("read", kind == access::PatientDataKind::kClinical ? "patient_record"
                                                                      : "patient_demographics");
  auto patient = access.directory.find_patient(wanted);
  if (!patient.ok()) {
    event.outcome = audit::AuditOutcome::kError;
    event.reason = std::string(error_code_name(patient.error().code()));
    if (patient.error().code() == ErrorCode::kDataLoss) {
      // The record exists but was altered: name it, so the trail shows
      // whose record could not be read.
      event.reason = "the stored record failed its integrity check";
      if (auto stored = access.directory.stored_patient_id(wanted); stored.ok()) {
        event.resource_id = *stored;
        event.patient_id = *stored;
      }
    }
    (void)access.audit.record(event);
    return patient.error();
  }
  event.resource_id = patient->id;
  event.patient_id = patient->id;
  auto decision = context.database->run([&](soci::session& session) {
    return access.scope.decide(session, request.principal, patient->id, kind);
  });
  if (!decision.ok()) {
    if (decision.error().code() == ErrorCode::kDataLoss) {
      // An emergency grant the decision rests on was altered; its id is in
      // the message, no stored value.
      event.outcome = audit::AuditOutcome::kError;
      event.reason = decision.error().message();
      (void)access.audit.record(event);
    }
    return decision.error();
  }
  if (!decision->allowed) {
    event.outcome = audit::AuditOutcome::kDenied;
    event.reason = decision->denial_reason;
    (void)access.audit.record(event);
    // Indistinguishable from a patient that does not exist.
    return Error(ErrorCode::kNotFound, "no patient with that id or MRN");
  }
  event.emergency = decision->emergency;
  if (decision->emergency) {
    event.reason = "emergency access under grant " + decision->grant_id;
  } else if (!decision->relationship.empty()) {
    event.reason = "in scope through " + decision->relationship;
  }
  TH_RETURN_IF_ERROR(access.audit.record(event));

  if (kind == access::PatientDataKind::kDemographics) {
    return ApiResponse::json(200, demographics_json(*patient));
  }
  Poco::JSON::Object::Ptr record = new Poco::JSON::Object;
  record->set("patient", patient_json(*patient));
  record->set("emergency_access", decision->emergency);
  TH_ASSIGN_OR_RETURN(team, access.directory.care_team(patient->id));
  Poco::JSON::Array::Ptr members = new Poco::JSON::Array;
  for (const auto& member : team) {
    members->add(member.user_id);
  }
  record->set("care_team", members);
  return ApiResponse::json(200, record);
}

// A listing with an altered record in it fails as a whole, rather than
// leaving a patient out without saying so.
Result<ApiResponse> list_patients(AccessServices& access, ServiceContext& context,
                                  ApiRequest& request) {
  audit::AuditEvent event = caller_of(request, context).event("search", "patient_demographics");
  auto listed =
      context.database->run([&](soci::session& session) { return access.patients.list(session); });
  if (!listed.ok()) {
    event.outcome = audit::AuditOutcome::kError;
    // A data-loss message names the record by id, never its values.
    event.reason = listed.error().code() == ErrorCode::kDataLoss
                       ? listed.error().message()
                       : std::string(error_code_name(listed.error().code()));
    (void)access.audit.record(std::move(event));
    return listed.error();
  }
  const std::vector<access::Patient>& patients = *listed;
  Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
  for (const auto& patient : patients) {
    items->add(demographics_json(patient));
    event.patient_ids.push_back(patient.id);
  }
  TH_RETURN_IF_ERROR(access.audit.record(std::move(event)));
  return items_response(items);
}

Result<ApiResponse> emergency_access(AccessServices& access, ServiceContext& context,
                                     ApiRequest& request) {
  TH_JSON_BODY(body, request);
  TH_ASSIGN_OR_RETURN(reason, required_string(body, "reason"));
  TH_ASSIGN_OR_RETURN(code, required_string(body, "mfa_code"));
  TH_ASSIGN_OR_RETURN(
      grant, access.directory.open_emergency_access(request.path_params["id"], reason, code,
                                                    caller_of(request, context)));
  return ApiResponse::json(201, emergency_grant_json(grant));
}

}  // namespace

void add_patient_routes(Router& router, AccessServices& access, ServiceContext& context) {
  using Kind = access::PatientDataKind;
  router.add("POST", "/api/v1/patients", Access::permission("patient.write"),
             [&](ApiRequest& request) { return create_patient(access, context, request); });
  router.add("POST", "/api/v1/patients/import", Access::permission("patient.write"),
             [&](ApiRequest& request) { return import_patients(access, context, request); });
  router.add("GET", "/api/v1/patients", Access::permission("patient.demographics"),
             [&](ApiRequest& request) { return list_patients(access, context, request); });
  router.add(
      "GET", "/api/v1/patients/{id}", Access::permission("patient.read"),
      [&](ApiRequest& request) { return read_patient(access, context, request, Kind::kClinical); });
  router.add("GET", "/api/v1/patients/{id}/demographics",
             Access::permission("patient.demographics"), [&](ApiRequest& request) {
               return read_patient(access, context, request, Kind::kDemographics);
             });
  router.add("POST", "/api/v1/patients/{id}/emergency-access",
             Access::permission("emergency.access"),
             [&](ApiRequest& request) { return emergency_access(access, context, request); });
}

}  // namespace th::server
