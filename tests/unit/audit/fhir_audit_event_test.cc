#include "audit/fhir_audit_event.h"

#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>

#include <string>

namespace th::audit {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

AuditEvent clinician_read() {
  AuditEvent event;
  event.id = "4b1e0c43-6a43-4f43-9d7e-2f3f0b9a1c11";
  event.occurred_at = 1'767'225'600'123'456;  // 2026-01-01T00:00:00.123456Z
  event.actor_user_id = "user-7";
  event.actor_kind = "user";
  event.actor_role = "clinician";
  event.session_id = "session-3";
  event.source_address = "203.0.113.9:40112";
  event.user_agent = "browser/1.0";
  event.action = "read";
  event.resource_type = "patient_record";
  event.resource_id = "patient-1";
  event.patient_id = "patient-1";
  event.request_id = "request-5";
  event.node = "node-a";
  return event;
}

std::string text(const Object::Ptr& object, const std::string& name) {
  return object->getValue<std::string>(name);
}

TEST(FhirAuditEventTest, FillsTheElementsR4Requires) {
  const Object::Ptr resource = fhir_audit_event(clinician_read());

  EXPECT_EQ(text(resource, "resourceType"), "AuditEvent");
  EXPECT_EQ(text(resource, "id"), "4b1e0c43-6a43-4f43-9d7e-2f3f0b9a1c11");
  EXPECT_EQ(text(resource, "recorded"), "2026-01-01T00:00:00.123456Z");
  ASSERT_TRUE(resource->getObject("type"));
  ASSERT_TRUE(resource->getArray("agent"));
  ASSERT_EQ(resource->getArray("agent")->size(), 1u);
  EXPECT_TRUE(resource->getArray("agent")->getObject(0)->getValue<bool>("requestor"));
  ASSERT_TRUE(resource->getObject("source"));
  EXPECT_TRUE(resource->getObject("source")->getObject("observer"));
}

TEST(FhirAuditEventTest, ReadOfARecordIsAPatientRecordEventWithActionR) {
  const Object::Ptr resource = fhir_audit_event(clinician_read());

  const Object::Ptr type = resource->getObject("type");
  EXPECT_EQ(text(type, "system"), "http://dicom.nema.org/resources/ontology/DCM");
  EXPECT_EQ(text(type, "code"), "110110");
  EXPECT_EQ(text(resource, "action"), "R");
  EXPECT_EQ(text(resource, "outcome"), "0");
}

TEST(FhirAuditEventTest, SubtypesCarryTheRestfulInteractionAndTheOwnAction) {
  const Array::Ptr subtypes = fhir_audit_event(clinician_read())->getArray("subtype");

  ASSERT_EQ(subtypes->size(), 2u);
  EXPECT_EQ(text(subtypes->getObject(0), "system"), "http://hl7.org/fhir/restful-interaction");
  EXPECT_EQ(text(subtypes->getObject(0), "code"), "read");
  EXPECT_EQ(text(subtypes->getObject(1), "system"), kActionSystem);
  EXPECT_EQ(text(subtypes->getObject(1), "code"), "read");
}

TEST(FhirAuditEventTest, AgentNamesTheUserRoleAndAddressWithoutPort) {
  const Object::Ptr agent = fhir_audit_event(clinician_read())->getArray("agent")->getObject(0);

  const Object::Ptr identifier = agent->getObject("who")->getObject("identifier");
  EXPECT_EQ(text(identifier, "system"), kUserSystem);
  EXPECT_EQ(text(identifier, "value"), "user-7");
  EXPECT_EQ(text(agent->getArray("role")->getObject(0), "text"), "clinician");
  EXPECT_EQ(text(agent->getObject("network"), "address"), "203.0.113.9");
  EXPECT_EQ(text(agent->getObject("network"), "type"), "2");
}

TEST(FhirAuditEventTest, AgentWithoutUserIdNamesTheKindOfActor) {
  AuditEvent event = clinician_read();
  event.actor_user_id.clear();
  event.actor_kind = "local_operator";
  event.source_address = "local";

  const Object::Ptr agent = fhir_audit_event(event)->getArray("agent")->getObject(0);

  EXPECT_EQ(text(agent->getObject("who"), "display"), "local_operator");
  EXPECT_FALSE(agent->has("network"));
}

TEST(FhirAuditEventTest, StripsThePortFromAnIpv6Address) {
  AuditEvent event = clinician_read();
  event.source_address = "[2001:db8::5]:443";

  const Object::Ptr agent = fhir_audit_event(event)->getArray("agent")->getObject(0);

  EXPECT_EQ(text(agent->getObject("network"), "address"), "2001:db8::5");
}

TEST(FhirAuditEventTest, SourceObserverIsTheNode) {
  const Object::Ptr source = fhir_audit_event(clinician_read())->getObject("source");

  EXPECT_EQ(text(source->getObject("observer"), "display"), "node-a");
  EXPECT_EQ(text(source->getObject("observer")->getObject("identifier"), "value"), "node-a");
}

TEST(FhirAuditEventTest, EntitiesReferenceThePatientThenTheResource) {
  const Array::Ptr entities = fhir_audit_event(clinician_read())->getArray("entity");

  ASSERT_EQ(entities->size(), 2u);
  EXPECT_EQ(text(entities->getObject(0)->getObject("what"), "reference"), "Patient/patient-1");
  EXPECT_EQ(text(entities->getObject(0)->getObject("role"), "code"), "1");
  const Object::Ptr resource_id =
      entities->getObject(1)->getObject("what")->getObject("identifier");
  EXPECT_EQ(text(resource_id, "system"), std::string(kResourceSystemPrefix) + "patient_record");
  EXPECT_EQ(text(resource_id, "value"), "patient-1");
}

TEST(FhirAuditEventTest, ListingNamesEachReturnedPatientOnce) {
  AuditEvent event = clinician_read();
  event.action = "search";
  event.patient_id.clear();
  event.patient_ids = {"p1", "p2", "p1"};

  const Array::Ptr entities = fhir_audit_event(event)->getArray("entity");

  ASSERT_EQ(entities->size(), 3u);
  EXPECT_EQ(text(entities->getObject(0)->getObject("what"), "reference"), "Patient/p1");
  EXPECT_EQ(text(entities->getObject(1)->getObject("what"), "reference"), "Patient/p2");
}

TEST(FhirAuditEventTest, EventWithoutPatientStillHasAnEntity) {
  AuditEvent event = clinician_read();
  event.action = "login";
  event.resource_type = "session";
  event.resource_id.clear();
  event.patient_id.clear();

  const Object::Ptr resource = fhir_audit_event(event);

  ASSERT_EQ(resource->getArray("entity")->size(), 1u);
  EXPECT_EQ(text(resource->getArray("entity")->getObject(0)->getObject("what"), "display"),
            "session");
  EXPECT_EQ(text(resource->getObject("type"), "code"), "110114");
  EXPECT_EQ(text(resource->getArray("subtype")->getObject(0), "code"), "110122");
}

TEST(FhirAuditEventTest, DeniedAccessIsAMinorFailureWithItsReason) {
  AuditEvent event = clinician_read();
  event.outcome = AuditOutcome::kDenied;
  event.reason = "not on the care team";

  const Object::Ptr resource = fhir_audit_event(event);

  EXPECT_EQ(text(resource, "outcome"), "4");
  EXPECT_EQ(text(resource, "outcomeDesc"), "not on the care team");
}

TEST(FhirAuditEventTest, ErrorIsASeriousFailure) {
  AuditEvent event = clinician_read();
  event.outcome = AuditOutcome::kError;

  EXPECT_EQ(text(fhir_audit_event(event), "outcome"), "8");
}

TEST(FhirAuditEventTest, EmergencyAccessCarriesBreakTheGlassPurpose) {
  AuditEvent event = clinician_read();
  event.emergency = true;

  const Array::Ptr purposes = fhir_audit_event(event)->getArray("purposeOfEvent");

  ASSERT_TRUE(purposes);
  const Object::Ptr code = purposes->getObject(0)->getArray("coding")->getObject(0);
  EXPECT_EQ(text(code, "code"), "BTG");
}

TEST(FhirAuditEventTest, OrdinaryAccessHasNoPurposeOfEvent) {
  EXPECT_FALSE(fhir_audit_event(clinician_read())->has("purposeOfEvent"));
}

TEST(FhirAuditEventTest, AuditSearchesAreAuditLogUsed) {
  AuditEvent event = clinician_read();
  event.action = "search";
  event.resource_type = "audit_event";

  EXPECT_EQ(text(fhir_audit_event(event)->getObject("type"), "code"), "110101");
}

TEST(FhirAuditEventTest, ExportsAreExports) {
  AuditEvent event = clinician_read();
  event.action = "export";
  event.resource_type = "audit_event";

  EXPECT_EQ(text(fhir_audit_event(event)->getObject("type"), "code"), "110106");
}

TEST(FhirAuditEventTest, MapsActionsToTheFiveCodes) {
  EXPECT_EQ(fhir_action_code("create"), "C");
  EXPECT_EQ(fhir_action_code("read"), "R");
  EXPECT_EQ(fhir_action_code("search"), "R");
  EXPECT_EQ(fhir_action_code("update"), "U");
  EXPECT_EQ(fhir_action_code("revoke"), "U");
  EXPECT_EQ(fhir_action_code("delete"), "D");
  EXPECT_EQ(fhir_action_code("login"), "E");
}

}  // namespace
}  // namespace th::audit
