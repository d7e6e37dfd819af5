// thctl patient: registering patients and reading their demographics. The
// local operator may register patients but not read them (separation of
// duties); reading needs a token whose role holds patient.demographics.
#include <memory>

#include "commands/command.h"
#include "commands/csv_import.h"

namespace th::cli {
namespace {

const std::vector<Column> kPatientColumns = {
    {"id", "id"},
    {"mrn", "MRN"},
    {"given_name", "given name"},
    {"family_name", "family name"},
    {"birth_date", "birth date"},
    {"sex", "sex"},
    {"state", "state"},
    {"phone", "phone"},
    {"email", "email"},
    {"address", "address"},
};

const std::vector<Column> kPatientListColumns = {
    {"id", "id"},
    {"mrn", "MRN"},
    {"given_name", "given name"},
    {"family_name", "family name"},
    {"birth_date", "birth date"},
    {"sex", "sex"},
    {"state", "state"},
};

struct PatientOptions {
  std::string mrn;
  std::string given_name;
  std::string family_name;
  std::string birth_date;
  std::string sex;
  std::string state;
  std::string phone;
  std::string email;
  std::string address;
  std::string target;  // ID or MRN
  std::string file;
};

const std::vector<Column> kImportedColumns = {
    {"id", "id"},
    {"mrn", "MRN"},
};

Status create_patient(CommandEnv& env, ApiClient& client, const PatientOptions& options) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  const std::pair<const char*, const std::string*> fields[] = {
      {"mrn", &options.mrn},
      {"given_name", &options.given_name},
      {"family_name", &options.family_name},
      {"birth_date", &options.birth_date},
      {"sex", &options.sex},
      {"state", &options.state},
      {"phone", &options.phone},
      {"email", &options.email},
      {"address", &options.address},
  };
  for (const auto& [name, value] : fields) {
    if (!value->empty()) {
      body->set(name, *value);
    }
  }
  auto patient = call_object(client, "POST", "/api/v1/patients", body);
  if (!patient.ok()) {
    return patient.error();
  }
  show_record(env, *patient, kPatientColumns);
  return ok_status();
}

Status list_patients(CommandEnv& env, ApiClient& client) {
  auto patients = get_items(client, "/api/v1/patients");
  if (!patients.ok()) {
    return patients.error();
  }
  show_listing(env, *patients, kPatientListColumns);
  return ok_status();
}

Status show_patient(CommandEnv& env, ApiClient& client, const std::string& target) {
  auto id = path_segment(target, "a patient id or MRN");
  if (!id.ok()) {
    return id.error();
  }
  auto patient = client.get_object("/api/v1/patients/" + *id + "/demographics");
  if (!patient.ok()) {
    return patient.error();
  }
  show_record(env, *patient, kPatientColumns);
  return ok_status();
}

Status import_patients(CommandEnv& env, ApiClient& client, const std::string& file) {
  return import_csv_file(env, client, file, "/api/v1/patients/import", kImportedColumns);
}

}  // namespace

void register_patient_command(CLI::App& app, CommandEnv& env) {
  auto options = std::make_shared<PatientOptions>();
  CLI::App* patient = app.add_subcommand("patient", "Register patients and read demographics");
  patient->require_subcommand(1);

  CLI::App* create =
      add_verb(*patient, "create", "Register a patient", env,
               [&env, options](ApiClient& c) { return create_patient(env, c, *options); });
  create->add_option("--mrn", options->mrn, "medical record number")->required();
  create->add_option("--given-name", options->given_name, "given (first) name")->required();
  create->add_option("--family-name", options->family_name, "family (last) name")->required();
  create->add_option("--birth-date", options->birth_date, "date of birth, YYYY-MM-DD")->required();
  create->add_option("--sex", options->sex, "female, male, other or unknown")
      ->required()
      ->check(CLI::IsMember({"female", "male", "other", "unknown"}));
  create->add_option("--state", options->state, "two-letter state of residence, e.g. CA")
      ->required();
  create->add_option("--phone", options->phone, "telephone number");
  create->add_option("--email", options->email, "e-mail address");
  create->add_option("--address", options->address, "postal address");

  add_verb(*patient, "import", "Register the patients of a CSV file, all or none", env,
           [&env, options](ApiClient& c) { return import_patients(env, c, options->file); })
      ->add_option("file", options->file,
                   "CSV with a header: mrn,given_name,family_name,birth_date,sex,state and "
                   "optionally phone,email,address")
      ->required();

  add_verb(*patient, "list", "List patients' demographics", env,
           [&env](ApiClient& c) { return list_patients(env, c); });

  add_verb(*patient, "show", "Show one patient's demographics", env,
           [&env, options](ApiClient& c) { return show_patient(env, c, options->target); })
      ->add_option("patient", options->target, "ID or MRN")
      ->required();
}

}  // namespace th::cli
