#include "access/patient_store.h"

#include <algorithm>
#include <cctype>

#include "storage/row_values.h"

namespace th::access {
namespace {

constexpr std::string_view kTable = "patients";

// The sealed columns, in the order they are selected after id.
struct SealedField {
  const char* column;
  std::string Patient::*member;
};
constexpr SealedField kSealedFields[] = {
    {"mrn", &Patient::mrn},
    {"given_name", &Patient::given_name},
    {"family_name", &Patient::family_name},
    {"birth_date", &Patient::birth_date},
    {"sex", &Patient::sex},
    {"phone", &Patient::phone},
    {"email", &Patient::email},
    {"address", &Patient::address},
};
constexpr const char* kColumns =
    "id, mrn_enc, given_name_enc, family_name_enc, birth_date_enc, sex_enc, phone_enc, "
    "email_enc, address_enc, state, created_at, updated_at, version, integrity_tag";

// The clear-text column the tag covers besides the sealed ones.
constexpr const char* kTaggedPlain = "state";

storage::StoredFields tagged_fields(const std::vector<std::string>& sealed,
                                    const std::string& state) {
  storage::StoredFields fields;
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    fields.emplace_back(kSealedFields[i].column, sealed[i]);
  }
  fields.emplace_back(kTaggedPlain, state);
  return fields;
}

}  // namespace

std::string normalize_mrn_text(std::string_view mrn) {
  std::string out;
  for (const char c : mrn) {
    if (c != ' ' && c != '-' && c != '\t') {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

const storage::SealedTableLayout& PatientStore::layout() {
  static const storage::SealedTableLayout layout = [] {
    storage::SealedTableLayout built;
    built.table = kTable;
    for (const SealedField& field : kSealedFields) {
      built.sealed.push_back({field.column, std::string(field.column) + "_enc"});
    }
    built.tagged_plain = {kTaggedPlain};
    built.tagged = true;
    return built;
  }();
  return layout;
}

std::string PatientStore::mrn_index(std::string_view mrn) const {
  return protection_.blind_index("mrn", normalize_mrn_text(mrn));
}

Status PatientStore::insert(soci::session& session, const Patient& patient) {
  TH_RETURN_IF_ERROR(validate_patient(patient));
  auto existing = find_by_mrn(session, patient.mrn);
  if (!existing.ok()) {
    return existing.error();
  }
  if (existing->has_value()) {
    return Error(ErrorCode::kAlreadyExists, "a patient with this MRN exists");
  }

  std::vector<std::string> sealed;
  for (const SealedField& field : kSealedFields) {
    auto value = protection_.seal(patient.*field.member, {kTable, field.column, patient.id});
    if (!value.ok()) {
      return value.error();
    }
    sealed.push_back(std::move(*value));
  }
  const long long version = patient.version;
  const std::string tag =
      protection_.integrity_tag(kTable, patient.id, version, tagged_fields(sealed, patient.state));
  const std::string mrn_bidx = mrn_index(patient.mrn);
  session << "INSERT INTO patients (id, mrn_bidx, mrn_enc, given_name_enc, family_name_enc, "
             "birth_date_enc, sex_enc, phone_enc, email_enc, address_enc, state, created_at, "
             "updated_at, version, integrity_tag) VALUES (:id, :bidx, :mrn, :given, :family, "
             ":birth, :sex, :phone, :email, :address, :state, :created, :updated, :version, :tag)",
      soci::use(patient.id), soci::use(mrn_bidx), soci::use(sealed[0]), soci::use(sealed[1]),
      soci::use(sealed[2]), soci::use(sealed[3]), soci::use(sealed[4]), soci::use(sealed[5]),
      soci::use(sealed[6]), soci::use(sealed[7]), soci::use(patient.state),
      soci::use(patient.created_at), soci::use(patient.updated_at), soci::use(version),
      soci::use(tag);
  return ok_status();
}

Result<Patient> PatientStore::decode(const soci::row& row) {
  Patient patient;
  patient.id = row.get<std::string>(0);
  std::vector<std::string> sealed;
  for (std::size_t i = 0; i < std::size(kSealedFields); ++i) {
    sealed.push_back(row.get<std::string>(1 + i));
  }
  patient.state = row.get<std::string>(9);
  patient.created_at = storage::column_int64(row, 10);
  patient.updated_at = storage::column_int64(row, 11);
  patient.version = storage::column_int64(row, 12);
  const std::string tag = row.get<std::string>(13);

  // Integrity first: a tampered row is refused before any field is opened.
  if (!protection_.verify_integrity(kTable, patient.id, patient.version,
                                    tagged_fields(sealed, patient.state), tag)) {
    return Error(ErrorCode::kDataLoss,
                 "patient record " + patient.id + " failed its integrity check");
  }
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto value = protection_.open(sealed[i], {kTable, kSealedFields[i].column, patient.id});
    if (!value.ok()) {
      return value.error().with_context("read patient " + patient.id);
    }
    patient.*kSealedFields[i].member = std::move(*value);
  }
  return patient;
}

Result<std::optional<Patient>> PatientStore::find_where(soci::session& session, const char* column,
                                                        const std::string& value) {
  // column is one of the fixed names used below, never caller input.
  soci::row row;
  session << std::string("SELECT ") + kColumns + " FROM patients WHERE " + column + " = :value",
      soci::use(value), soci::into(row);
  if (!session.got_data()) {
    return std::optional<Patient>();
  }
  auto patient = decode(row);
  if (!patient.ok()) {
    return patient.error();
  }
  return std::optional<Patient>(std::move(*patient));
}

Result<std::optional<Patient>> PatientStore::find_by_id(soci::session& session,
                                                        const std::string& id) {
  return find_where(session, "id", id);
}

Result<std::optional<Patient>> PatientStore::find_by_mrn(soci::session& session,
                                                         std::string_view mrn) {
  return find_where(session, "mrn_bidx", mrn_index(mrn));
}

std::string PatientStore::stored_id_where(soci::session& session, const char* column,
                                          const std::string& value) {
  // column is one of the fixed names used below, never caller input.
  std::string id;
  soci::indicator indicator = soci::i_null;
  session << std::string("SELECT id FROM patients WHERE ") + column + " = :value", soci::use(value),
      soci::into(id, indicator);
  return session.got_data() && indicator == soci::i_ok ? id : std::string();
}

std::string PatientStore::stored_id(soci::session& session, const std::string& id) {
  return stored_id_where(session, "id", id);
}

std::string PatientStore::stored_id_by_mrn(soci::session& session, std::string_view mrn) {
  return stored_id_where(session, "mrn_bidx", mrn_index(mrn));
}

Result<std::vector<Patient>> PatientStore::list(soci::session& session) {
  std::vector<Patient> patients;
  soci::rowset<soci::row> rows = (session.prepare << std::string("SELECT ") + kColumns +
                                                         " FROM patients ORDER BY created_at, id");
  for (const soci::row& row : rows) {
    auto patient = decode(row);
    if (!patient.ok()) {
      return patient.error();
    }
    patients.push_back(std::move(*patient));
  }
  return patients;
}

}  // namespace th::access
