"""Break-glass access: a clinician outside a patient's care team opens a
grant with a stated reason and a fresh second factor, reads the record
marked as emergency access, and a compliance officer reviews the grant once.

Each test uses a patient of its own, so grants do not leak between tests.
The clinician's step-up codes are TOTP codes where the test is about TOTP and
recovery codes elsewhere, so the suite never waits for a new time step.
"""

import access_fixtures as fx
import harness

REASON = "unconscious patient in the emergency department, on-call cover"


class EmergencyAccessTest(fx.AccessTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        daemon = cls.daemon
        cls.clinician = fx.create_account(daemon, "clinician")
        cls.compliance = fx.create_account(daemon, "compliance_officer")
        cls.admin = fx.create_account(daemon, "admin")
        cls.recovery_codes = list(cls.clinician.recovery_codes)

    def new_patient(self):
        return fx.create_patient(self.daemon)["id"]

    def read(self, patient_id):
        return self.daemon.get("/api/v1/patients/" + patient_id, token=self.clinician.token)

    def open_grant(self, patient_id, code=None, reason=REASON):
        code = code if code is not None else self.recovery_codes.pop()
        return self.daemon.post("/api/v1/patients/%s/emergency-access" % patient_id,
                                {"reason": reason, "mfa_code": code},
                                token=self.clinician.token)

    def grants(self, token, query=""):
        return self.daemon.get("/api/v1/emergency-access" + query, token=token)

    def review(self, grant_id, outcome="justified", token=None):
        return self.daemon.post("/api/v1/emergency-access/%s/review" % grant_id,
                                {"outcome": outcome, "comment": "confirmed with the ED roster"},
                                token=token or self.compliance.token)

    def test_grant_with_a_fresh_totp_code_opens_the_record_marked_as_emergency(self):
        patient = self.new_patient()
        before = self.read(patient)

        opened = self.open_grant(patient, code=self.clinician.authenticator.next_code())
        after = self.read(patient)

        self.assertStatus(before, 404)
        self.assertStatus(opened, 201)
        grant = opened.json()
        self.assertEqual(grant["user_id"], self.clinician.id)
        self.assertEqual(grant["patient_id"], patient)
        self.assertEqual(grant["reason"], REASON)
        self.assertEqual(grant["review_state"], "pending")
        self.assertStatus(after, 200)
        self.assertTrue(after.json()["emergency_access"])
        self.assertEqual(after.json()["patient"]["id"], patient)
        self.assertNotIn(self.clinician.id, after.json()["care_team"])

    def test_emergency_reads_are_audited_as_emergency(self):
        patient = self.new_patient()
        self.assertStatus(self.open_grant(patient), 201)

        self.assertStatus(self.read(patient), 200)

        rows = self.daemon.sql(
            "SELECT action, resource_type, outcome FROM audit_events WHERE emergency = 1 "
            "AND patient_id = '%s' ORDER BY seq" % patient)
        self.assertIn("emergency_access|emergency_grant|success", rows)
        self.assertIn("read|patient_record|success", rows)

    def test_bad_or_reused_mfa_code_opens_nothing(self):
        patient = self.new_patient()
        authenticator = self.clinician.authenticator

        wrong = self.open_grant(patient, code=authenticator.wrong_code())
        self.assertStatus(self.open_grant(self.new_patient(), code=authenticator.next_code()), 201)
        reused = self.open_grant(patient, code=authenticator.used_code())
        used_recovery = self.recovery_codes.pop()
        self.assertStatus(self.open_grant(self.new_patient(), code=used_recovery), 201)
        reused_recovery = self.open_grant(patient, code=used_recovery)
        empty = self.open_grant(patient, code="")

        for reply in (wrong, reused, reused_recovery):
            self.assertErrorCode(reply, 401, "mfa_invalid")
        self.assertStatus(empty, 400)
        self.assertStatus(self.read(patient), 404)

    def test_a_reason_is_required(self):
        patient = self.new_patient()

        reply = self.open_grant(patient, code="00000-00000", reason="because")

        self.assertStatus(reply, 400)
        self.assertIn("reason", reply.json()["error"]["message"])
        self.assertStatus(self.read(patient), 404)

    def test_grant_covers_only_its_patient(self):
        granted = self.new_patient()
        other = self.new_patient()

        self.assertStatus(self.open_grant(granted), 201)

        self.assertStatus(self.read(granted), 200)
        self.assertStatus(self.read(other), 404)

    def test_expired_grant_closes_the_record_again(self):
        patient = self.new_patient()
        grant = self.open_grant(patient).json()
        self.assertStatus(self.read(patient), 200)

        # Expiry by hand: the lookup leaves the grant out by its expiry
        # before its integrity tag is checked, so cutting a grant short
        # closes the record (lengthening one fails the tag: see
        # test_integrity_check). Put back afterwards, so that the listings
        # of the other tests still read.
        expires_at = self.daemon.sql("SELECT expires_at FROM emergency_grants WHERE id = '%s'"
                                     % grant["id"])[0]
        self.daemon.sql("UPDATE emergency_grants SET expires_at = granted_at + 1 WHERE id = '%s'"
                        % grant["id"])
        self.addCleanup(self.daemon.sql, "UPDATE emergency_grants SET expires_at = %s WHERE "
                        "id = '%s'" % (expires_at, grant["id"]))

        self.assertStatus(self.read(patient), 404)

    def test_grants_are_listed_for_compliance_but_not_for_admin(self):
        patient = self.new_patient()
        grant = self.open_grant(patient).json()

        listed = self.grants(self.compliance.token)
        pending = self.grants(self.compliance.token, "?pending=true")
        as_admin = self.grants(self.admin.token)
        as_operator = self.daemon.admin("GET", "/api/v1/emergency-access")
        as_clinician = self.grants(self.clinician.token)

        self.assertStatus(listed, 200)
        self.assertIn(grant["id"], [item["id"] for item in listed.json()["items"]])
        self.assertIn(grant["id"], [item["id"] for item in pending.json()["items"]])
        self.assertStatus(as_admin, 403)
        self.assertStatus(as_operator, 403)
        self.assertStatus(as_clinician, 403)

    def test_review_is_recorded_once(self):
        grant = self.open_grant(self.new_patient()).json()

        by_admin = self.review(grant["id"], token=self.admin.token)
        bad_outcome = self.review(grant["id"], outcome="fine")
        first = self.review(grant["id"])
        second = self.review(grant["id"], outcome="unjustified")
        unknown = self.review(fx.random_id())

        self.assertStatus(by_admin, 403)
        self.assertStatus(bad_outcome, 400)
        self.assertStatus(first, 200)
        self.assertStatus(second, 409)
        self.assertStatus(unknown, 404)
        items = {item["id"]: item for item in self.grants(self.compliance.token).json()["items"]}
        self.assertEqual(items[grant["id"]]["review_state"], "justified")
        self.assertEqual(items[grant["id"]]["reviewed_by"], self.compliance.id)
        pending = self.grants(self.compliance.token, "?pending=true").json()["items"]
        self.assertNotIn(grant["id"], [item["id"] for item in pending])

    def test_compliance_is_notified_of_each_grant(self):
        grant = self.open_grant(self.new_patient()).json()

        rows = self.daemon.sql("SELECT kind, recipient_role FROM notifications "
                               "WHERE subject_id = '%s'" % grant["id"])

        self.assertEqual(rows, ["emergency_access|compliance_officer"])


if __name__ == "__main__":
    harness.main()
