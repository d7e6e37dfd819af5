"""Who may call what: every route of the daemon against every built-in role,
anonymous callers, a staff session that has not enrolled MFA yet, and the
local operator on the admin socket.

The table below is written by hand on purpose: it is the reviewed statement
of the access policy, not something derived from the route declarations. The
first test fetches the live route table and fails when a route has no row (so
a route cannot ship without a reviewed decision) or a row names a route that
no longer exists.

Outcomes:
  ok   the request got past authorization: its status is one the probe for
       that route expects from a permitted caller (success, or 400/404/409
       for a body or target that is refused after the gate);
  401  no valid credentials;
  403  the role lacks the route's permission, or MFA enrolment is pending;
  404  the patient-scope refusal: a record outside the caller's scope answers
       exactly like one that does not exist.

Routes with {id} under /api/v1/patients have two rows: "in" (the caller is
on the patient's care team, or it is the patient's own record) and "out"
(no care team membership, someone else's record). Every staff account is on
the "in" patient's care team, so the rows also show that membership grants
nothing a role does not already allow.

The user-creating routes are probed with bodies refused after the gate
(400), so the matrix adds no users beyond its accounts; the other probes send
valid requests where that is cheap.
"""

import re

import access_fixtures as fx
import harness

WHO = ["anonymous", "patient", "clinician", "nurse", "front_desk", "billing",
       "compliance_officer", "admin", "unenrolled", "operator"]

# "unenrolled": a clinician signed in with a password whose MFA enrolment is
# still pending. "operator": root or the admin group on the admin socket.
# Columns: anonymous, patient, clinician, nurse, front desk, billing,
# compliance officer, admin, unenrolled, operator.
TABLE = [
    # ano pat cli nur dsk bil cmp adm une opr
    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok", "GET /healthz"),
    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok", "GET /readyz"),
    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok", "GET /metrics"),
    # The browser client's page and files: static, no personal data.
    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok", "GET /"),
    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok", "GET /guest"),
    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok", "GET /web/{file}"),
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/status"),
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/routes"),
    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok", "POST /api/v1/auth/login"),
    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok", "POST /api/v1/auth/enrol"),
    ("401 ok  ok  ok  ok  ok  ok  ok  ok  ok", "POST /api/v1/auth/logout"),
    ("401 ok  ok  ok  ok  ok  ok  ok  ok  ok", "POST /api/v1/auth/password"),
    ("401 ok  ok  ok  ok  ok  ok  ok  ok  ok", "POST /api/v1/auth/mfa/enrol"),
    ("401 ok  ok  ok  ok  ok  ok  ok  ok  ok", "POST /api/v1/auth/mfa/confirm"),
    ("401 ok  ok  ok  ok  ok  ok  ok  ok  ok", "GET /api/v1/me"),
    ("401 ok  ok  ok  ok  ok  ok  ok  403 ok", "GET /api/v1/me/sessions"),
    ("401 ok  ok  ok  ok  ok  ok  ok  403 ok", "DELETE /api/v1/me/sessions/{id}"),
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/users"),
    ("401 403 403 403 403 403 403 ok  403 ok", "POST /api/v1/users"),
    ("401 403 403 403 403 403 403 ok  403 ok", "POST /api/v1/users/import"),
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/users/{id}"),
    ("401 403 403 403 403 403 403 ok  403 ok", "POST /api/v1/users/{id}/{action}"),
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/roles"),
    ("401 403 403 403 403 403 403 ok  403 ok", "POST /api/v1/roles"),
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/roles/{name}"),
    ("401 403 403 403 403 403 403 ok  403 ok", "POST /api/v1/roles/{name}/permissions"),
    ("401 403 403 403 403 403 403 ok  403 ok",
     "DELETE /api/v1/roles/{name}/permissions/{permission}"),
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/patients/{id}/care-team in"),
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/patients/{id}/care-team out"),
    ("401 403 403 403 403 403 403 ok  403 ok", "POST /api/v1/patients/{id}/care-team in"),
    ("401 403 403 403 403 403 403 ok  403 ok", "POST /api/v1/patients/{id}/care-team out"),
    ("401 403 403 403 403 403 403 ok  403 ok", "DELETE /api/v1/patients/{id}/care-team/{user} in"),
    ("401 403 403 403 403 403 403 ok  403 ok", "DELETE /api/v1/patients/{id}/care-team/{user} out"),
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/sessions"),
    ("401 403 403 403 403 403 403 ok  403 ok", "DELETE /api/v1/sessions/{id}"),
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/tokens"),
    ("401 403 403 403 403 403 403 ok  403 ok", "POST /api/v1/tokens"),
    ("401 403 403 403 403 403 403 ok  403 ok", "DELETE /api/v1/tokens/{id}"),
    # Key-encryption keys: administration, like the rest of the system; the
    # replies hold ids and times only, never key material or patient data.
    ("401 403 403 403 403 403 403 ok  403 ok", "GET /api/v1/keys/status"),
    ("401 403 403 403 403 403 403 ok  403 ok", "POST /api/v1/keys/rotate"),
    # Reviewing break-glass access is the compliance officer's alone.
    ("401 403 403 403 403 403 ok  403 403 403", "GET /api/v1/emergency-access"),
    ("401 403 403 403 403 403 ok  403 403 403", "POST /api/v1/emergency-access/{id}/review"),
    ("401 403 ok  ok  ok  403 403 403 403 ok", "POST /api/v1/patients"),
    ("401 403 ok  ok  ok  403 403 403 403 ok", "POST /api/v1/patients/import"),
    ("401 403 ok  ok  ok  ok  403 403 403 403", "GET /api/v1/patients"),
    # The clinical record: own record, or care team; never admin, compliance,
    # front desk or billing, whatever their care-team membership.
    ("401 ok  ok  ok  403 403 403 403 403 403", "GET /api/v1/patients/{id} in"),
    ("401 404 404 404 403 403 403 403 403 403", "GET /api/v1/patients/{id} out"),
    # Demographics: front desk and billing see them for any patient; so do
    # clinical staff. The patient role reads them inside its own record.
    ("401 403 ok  ok  ok  ok  403 403 403 403", "GET /api/v1/patients/{id}/demographics in"),
    ("401 403 ok  ok  ok  ok  403 403 403 403", "GET /api/v1/patients/{id}/demographics out"),
    ("401 403 ok  ok  403 403 403 403 403 403", "POST /api/v1/patients/{id}/emergency-access in"),
    ("401 403 ok  ok  403 403 403 403 403 403", "POST /api/v1/patients/{id}/emergency-access out"),
    # Verifying the audit trail's integrity: compliance and the operator.
    ("401 403 403 403 403 403 ok  403 403 ok ", "POST /api/v1/audit/verify"),
    ("401 403 403 403 403 403 ok  403 403 ok ", "GET /api/v1/audit/checkpoint"),
    ("401 403 403 403 403 403 ok  403 403 ok ", "POST /api/v1/audit/checkpoint"),
    ("401 403 403 403 403 403 ok  403 403 ok ", "GET /api/v1/audit/public-key"),
    ("401 403 403 403 403 403 ok  403 403 ok ", "GET /api/v1/audit/proofs/inclusion/{event_id}"),
    ("401 403 403 403 403 403 ok  403 403 ok ", "GET /api/v1/audit/proofs/consistency"),
    # Checking stored personal data against its integrity tags: compliance
    # and the operator.
    ("401 403 403 403 403 403 ok  403 403 ok ", "POST /api/v1/integrity/check"),
    # Reading it (who saw which patient): compliance alone, never admin or
    # the operator.
    ("401 403 403 403 403 403 ok  403 403 403", "GET /api/v1/audit/events"),
    ("401 403 403 403 403 403 ok  403 403 403", "GET /api/v1/audit/reports/access"),
    ("401 403 403 403 403 403 ok  403 403 403", "GET /api/v1/audit/reports/user"),
    ("401 403 403 403 403 403 ok  403 403 403", "GET /api/v1/audit/reports/emergency"),
    ("401 403 403 403 403 403 ok  403 403 403", "GET /api/v1/audit/reports/failed-logins"),
    ("401 403 403 403 403 403 ok  403 403 403", "GET /api/v1/audit/export"),
    # Scheduling. Reading profiles, availability, visit types, slots,
    # appointments and queues: every role holding appointment.read (patients
    # see only their own appointments and places, inside the handlers).
    ("401 ok  ok  ok  ok  403 403 403 403 403", "GET /api/v1/practitioners"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "GET /api/v1/practitioners/{id}"),
    # NPI and licensure are credentialing: administrators and the operator.
    ("401 403 403 403 403 403 403 ok  403 ok ", "PUT /api/v1/practitioners/{id}"),
    ("401 403 403 403 403 403 403 ok  403 ok ", "POST /api/v1/practitioners/{id}/licenses"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "GET /api/v1/practitioners/{id}/availability"),
    ("401 403 ok  403 ok  403 403 403 403 403", "PUT /api/v1/practitioners/{id}/availability"),
    ("401 403 ok  403 ok  403 403 403 403 403", "POST /api/v1/practitioners/{id}/exceptions"),
    ("401 403 ok  403 ok  403 403 403 403 403",
     "DELETE /api/v1/practitioners/{id}/exceptions/{exception}"),
    # The day schedule names other patients: staff only.
    ("401 403 ok  ok  ok  403 403 403 403 403", "GET /api/v1/practitioners/{id}/schedule"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "GET /api/v1/practitioners/{id}/queue"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "GET /api/v1/visit-types"),
    ("401 403 ok  403 ok  403 403 403 403 403", "PUT /api/v1/visit-types/{code}"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "GET /api/v1/slots"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "POST /api/v1/appointments"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "GET /api/v1/appointments"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "GET /api/v1/appointments/{id}"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "POST /api/v1/appointments/{id}/reschedule"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "POST /api/v1/appointments/{id}/cancel"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "POST /api/v1/appointments/{id}/check-in"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "POST /api/v1/appointments/{id}/start"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "POST /api/v1/appointments/{id}/complete"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "POST /api/v1/appointments/{id}/no-show"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "POST /api/v1/appointments/{id}/urgency"),
    # Guests of a visit: invited and revoked by those who may write
    # appointments (the handlers narrow it to the patient, the front desk and
    # clinical staff in scope); listed by those who may read them.
    ("401 ok  ok  ok  ok  403 403 403 403 403", "POST /api/v1/appointments/{id}/invitations"),
    ("401 ok  ok  ok  ok  403 403 403 403 403", "GET /api/v1/appointments/{id}/invitations"),
    ("401 ok  ok  ok  ok  403 403 403 403 403",
     "DELETE /api/v1/appointments/{id}/invitations/{invitation}"),
    # Redeeming a link is how a guest starts: no credentials but the link's
    # secret. The guest's view of the visit is for guest sessions alone:
    # every signed-in user, and the operator, is refused it.
    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "POST /api/v1/guest/redeem"),
    ("401 403 403 403 403 403 403 403 403 403", "GET /api/v1/guest/visit"),
    # The outbox: operators see ids, kinds and errors, never a recipient or
    # a text; retrying is a system change.
    ("401 403 403 403 403 403 403 ok  403 ok ", "GET /api/v1/reminders"),
    ("401 403 403 403 403 403 403 ok  403 ok ", "POST /api/v1/reminders/{id}/retry"),
    # Reminder opt-outs: a patient's own (other accounts have none: 404);
    # staff who see demographics read anyone's, those who change records
    # change them. The operator changes records but reaches no demographics.
    ("401 ok  ok  ok  ok  ok  ok  ok  403 ok ", "GET /api/v1/me/reminder-preferences"),
    ("401 ok  ok  ok  ok  ok  ok  ok  403 ok ", "PUT /api/v1/me/reminder-preferences"),
    ("401 403 ok  ok  ok  ok  403 403 403 403", "GET /api/v1/patients/{id}/reminder-preferences in"),
    ("401 403 ok  ok  ok  ok  403 403 403 403",
     "GET /api/v1/patients/{id}/reminder-preferences out"),
    ("401 403 ok  ok  ok  403 403 403 403 404", "PUT /api/v1/patients/{id}/reminder-preferences in"),
    ("401 403 ok  ok  ok  403 403 403 403 404",
     "PUT /api/v1/patients/{id}/reminder-preferences out"),
    # Calendar feed tokens are credentials: managed like service tokens. The
    # feed itself is public: its token is the credential (404 when unknown).
    ("401 403 403 403 403 403 403 ok  403 ok ", "POST /api/v1/practitioners/{id}/calendar-token"),
    ("401 403 403 403 403 403 403 ok  403 ok ",
     "DELETE /api/v1/practitioners/{id}/calendar-token"),
    ("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "GET /api/v1/calendar/{token}.ics"),
    # The WebSocket endpoint: any signed-in user (what each may do on the
    # socket is checked per message). Probed as a plain GET, which a
    # permitted caller is told to upgrade (426); the admin socket serves no
    # websockets (404).
    ("401 ok  ok  ok  ok  ok  ok  ok  403 ok", "GET /api/v1/ws"),
    # Secure messaging: patients and clinical staff (message.read and
    # message.send); which conversations each reaches is checked inside.
    # Administration, compliance, front desk, billing and the operator hold
    # neither permission.
    ("401 ok  ok  ok  403 403 403 403 403 403", "GET /api/v1/conversations"),
    ("401 ok  ok  ok  403 403 403 403 403 403", "POST /api/v1/conversations"),
    ("401 ok  ok  ok  403 403 403 403 403 403", "GET /api/v1/conversations/{id}/messages"),
    ("401 ok  ok  ok  403 403 403 403 403 403", "POST /api/v1/conversations/{id}/messages"),
    ("401 ok  ok  ok  403 403 403 403 403 403", "POST /api/v1/conversations/{id}/read"),
    ("401 ok  ok  ok  403 403 403 403 403 403", "GET /api/v1/messages/search"),
    # Patients' documents: patients (their own) and clinical staff on the
    # care team hold document.read and document.write; out of scope is 403
    # (audited), like a missing permission. Front desk, billing, compliance,
    # administration and the operator hold neither.
    ("401 ok  ok  ok  403 403 403 403 403 403", "POST /api/v1/patients/{id}/documents in"),
    ("401 403 403 403 403 403 403 403 403 403", "POST /api/v1/patients/{id}/documents out"),
    ("401 ok  ok  ok  403 403 403 403 403 403", "GET /api/v1/patients/{id}/documents in"),
    ("401 403 403 403 403 403 403 403 403 403", "GET /api/v1/patients/{id}/documents out"),
    ("401 ok  ok  ok  403 403 403 403 403 403", "GET /api/v1/documents/{id}"),
    ("401 ok  ok  ok  403 403 403 403 403 403", "GET /api/v1/documents/{id}/content"),
]

PATIENT_SCOPED = re.compile(r"^/api/v1/patients/\{id\}")


class Probe:
    """How to call one route: the concrete path and body for a caller and a
    scope, and the statuses a permitted caller may get."""

    def __init__(self, path, allowed, body=None, content_type=None):
        self.path = path
        self.allowed = set(allowed)
        self.body = body
        self.content_type = content_type


def probes(ctx):
    """Probe builders by (method, pattern); each takes (who, patient id)."""
    spare = ctx.spare_user_id
    role = ctx.custom_role
    return {
        ("GET", "/healthz"): lambda who, pid: Probe("/healthz", {200}),
        ("GET", "/readyz"): lambda who, pid: Probe("/readyz", {200}),
        ("GET", "/metrics"): lambda who, pid: Probe("/metrics", {200}),
        ("GET", "/"): lambda who, pid: Probe("/", {200}),
        ("GET", "/guest"): lambda who, pid: Probe("/guest", {200}),
        ("GET", "/web/{file}"): lambda who, pid: Probe("/web/app.js", {200}),
        ("GET", "/api/v1/status"): lambda who, pid: Probe("/api/v1/status", {200}),
        ("GET", "/api/v1/routes"): lambda who, pid: Probe("/api/v1/routes", {200}),
        # Bodies refused after the gate: a real sign-in or enrolment here
        # would only cost hashes.
        ("POST", "/api/v1/auth/login"): lambda who, pid: Probe("/api/v1/auth/login", {400}, {}),
        ("POST", "/api/v1/auth/enrol"): lambda who, pid: Probe("/api/v1/auth/enrol", {400}, {}),
        ("POST", "/api/v1/auth/logout"): lambda who, pid: Probe("/api/v1/auth/logout", {200}),
        ("POST", "/api/v1/auth/password"):
            lambda who, pid: Probe("/api/v1/auth/password", {400}, {}),
        # Enrolled staff: 409 (already enrolled); the operator has no user: 404.
        ("POST", "/api/v1/auth/mfa/enrol"):
            lambda who, pid: Probe("/api/v1/auth/mfa/enrol", {200, 404, 409}),
        ("POST", "/api/v1/auth/mfa/confirm"):
            lambda who, pid: Probe("/api/v1/auth/mfa/confirm", {400}, {}),
        ("GET", "/api/v1/me"): lambda who, pid: Probe("/api/v1/me", {200}),
        ("GET", "/api/v1/me/sessions"): lambda who, pid: Probe("/api/v1/me/sessions", {200}),
        ("DELETE", "/api/v1/me/sessions/{id}"):
            lambda who, pid: Probe("/api/v1/me/sessions/" + fx.random_id(), {404}),
        ("GET", "/api/v1/users"): lambda who, pid: Probe("/api/v1/users", {200}),
        ("POST", "/api/v1/users"):
            lambda who, pid: Probe("/api/v1/users", {400}, {"username": "X!", "role": "billing"}),
        ("POST", "/api/v1/users/import"):
            lambda who, pid: Probe("/api/v1/users/import", {400},
                                   "username,role\nmatrix-import,no_such_role\n", "text/csv"),
        ("GET", "/api/v1/users/{id}"): lambda who, pid: Probe("/api/v1/users/" + spare, {200}),
        ("POST", "/api/v1/users/{id}/{action}"):
            lambda who, pid: Probe("/api/v1/users/%s/enrolment" % spare, {200}),
        ("GET", "/api/v1/roles"): lambda who, pid: Probe("/api/v1/roles", {200}),
        ("POST", "/api/v1/roles"):
            lambda who, pid: Probe("/api/v1/roles", {201},
                                   {"name": fx.unique("matrix_role_"),
                                    "permissions": ["billing.read"]}),
        ("GET", "/api/v1/roles/{name}"): lambda who, pid: Probe("/api/v1/roles/billing", {200}),
        ("POST", "/api/v1/roles/{name}/permissions"):
            lambda who, pid: Probe("/api/v1/roles/%s/permissions" % role, {200},
                                   {"permission": "billing.read"}),
        ("DELETE", "/api/v1/roles/{name}/permissions/{permission}"):
            lambda who, pid: Probe("/api/v1/roles/%s/permissions/billing.export" % role, {200}),
        ("GET", "/api/v1/patients/{id}/care-team"):
            lambda who, pid: Probe("/api/v1/patients/%s/care-team" % pid, {200}),
        ("POST", "/api/v1/patients/{id}/care-team"):
            lambda who, pid: Probe("/api/v1/patients/%s/care-team" % pid, {200}, {"user": spare}),
        # 404 once the spare user has already been taken off that team.
        ("DELETE", "/api/v1/patients/{id}/care-team/{user}"):
            lambda who, pid: Probe("/api/v1/patients/%s/care-team/%s" % (pid, spare), {200, 404}),
        ("GET", "/api/v1/sessions"): lambda who, pid: Probe("/api/v1/sessions", {200}),
        ("DELETE", "/api/v1/sessions/{id}"):
            lambda who, pid: Probe("/api/v1/sessions/" + fx.random_id(), {404}),
        ("GET", "/api/v1/tokens"): lambda who, pid: Probe("/api/v1/tokens", {200}),
        ("POST", "/api/v1/tokens"):
            lambda who, pid: Probe("/api/v1/tokens", {201}, {"user": spare, "name": "matrix"}),
        ("DELETE", "/api/v1/tokens/{id}"):
            lambda who, pid: Probe("/api/v1/tokens/" + fx.random_id(), {404}),
        ("GET", "/api/v1/keys/status"): lambda who, pid: Probe("/api/v1/keys/status", {200}),
        # With one KEK configured a rotation re-wraps nothing: safe to repeat.
        ("POST", "/api/v1/keys/rotate"): lambda who, pid: Probe("/api/v1/keys/rotate", {200}),
        ("GET", "/api/v1/emergency-access"):
            lambda who, pid: Probe("/api/v1/emergency-access", {200}),
        ("POST", "/api/v1/emergency-access/{id}/review"):
            lambda who, pid: Probe("/api/v1/emergency-access/%s/review" % fx.random_id(), {404},
                                   {"outcome": "justified"}),
        ("POST", "/api/v1/patients"):
            lambda who, pid: Probe("/api/v1/patients", {201},
                                   {"mrn": fx.unique("MX"), "given_name": "Sam",
                                    "family_name": "Matrix", "birth_date": "1990-01-31",
                                    "sex": "other", "state": "WA"}),
        # A bad birth date: the whole file is refused after the gate.
        ("POST", "/api/v1/patients/import"):
            lambda who, pid: Probe("/api/v1/patients/import", {400},
                                   "mrn,given_name,family_name,birth_date,sex,state\n"
                                   "MX-IMPORT,Sam,Matrix,1990-02-30,other,WA\n", "text/csv"),
        ("GET", "/api/v1/patients"): lambda who, pid: Probe("/api/v1/patients", {200}),
        ("GET", "/api/v1/patients/{id}"):
            lambda who, pid: Probe("/api/v1/patients/" + pid, {200}),
        ("GET", "/api/v1/patients/{id}/demographics"):
            lambda who, pid: Probe("/api/v1/patients/%s/demographics" % pid, {200}),
        # A reason too short: refused after the gate, before any MFA check.
        ("POST", "/api/v1/patients/{id}/emergency-access"):
            lambda who, pid: Probe("/api/v1/patients/%s/emergency-access" % pid, {400},
                                   {"reason": "short", "mfa_code": "000000"}),
        ("POST", "/api/v1/audit/verify"): lambda who, pid: Probe("/api/v1/audit/verify", {200}),
        # 404 until the first checkpoint is signed.
        ("GET", "/api/v1/audit/checkpoint"):
            lambda who, pid: Probe("/api/v1/audit/checkpoint", {200, 404}),
        ("POST", "/api/v1/audit/checkpoint"):
            lambda who, pid: Probe("/api/v1/audit/checkpoint", {200}),
        ("GET", "/api/v1/audit/public-key"):
            lambda who, pid: Probe("/api/v1/audit/public-key", {200}),
        ("GET", "/api/v1/audit/proofs/inclusion/{event_id}"):
            lambda who, pid: Probe("/api/v1/audit/proofs/inclusion/" + ctx.audit_event_id, {200}),
        # Without the tree sizes: refused after the gate.
        ("GET", "/api/v1/audit/proofs/consistency"):
            lambda who, pid: Probe("/api/v1/audit/proofs/consistency", {400}),
        ("POST", "/api/v1/integrity/check"):
            lambda who, pid: Probe("/api/v1/integrity/check", {200}),
        ("GET", "/api/v1/audit/events"): lambda who, pid: Probe("/api/v1/audit/events", {200}),
        ("GET", "/api/v1/audit/reports/access"):
            lambda who, pid: Probe("/api/v1/audit/reports/access?patient=" + ctx.patient_in["id"],
                                   {200}),
        ("GET", "/api/v1/audit/reports/user"):
            lambda who, pid: Probe("/api/v1/audit/reports/user?user=" + spare, {200}),
        ("GET", "/api/v1/audit/reports/emergency"):
            lambda who, pid: Probe("/api/v1/audit/reports/emergency", {200}),
        ("GET", "/api/v1/audit/reports/failed-logins"):
            lambda who, pid: Probe("/api/v1/audit/reports/failed-logins", {200}),
        ("GET", "/api/v1/audit/export"): lambda who, pid: Probe("/api/v1/audit/export", {200}),
        # Scheduling: unknown practitioners and appointments (404), or bodies
        # refused after the gate (400), so the probes change nothing.
        ("GET", "/api/v1/practitioners"): lambda who, pid: Probe("/api/v1/practitioners", {200}),
        ("GET", "/api/v1/practitioners/{id}"):
            lambda who, pid: Probe("/api/v1/practitioners/" + fx.random_id(), {404}),
        ("PUT", "/api/v1/practitioners/{id}"):
            lambda who, pid: Probe("/api/v1/practitioners/" + spare, {400}, {}),
        ("POST", "/api/v1/practitioners/{id}/licenses"):
            lambda who, pid: Probe("/api/v1/practitioners/%s/licenses" % fx.random_id(), {404},
                                   {"add": ["CA"]}),
        ("GET", "/api/v1/practitioners/{id}/availability"):
            lambda who, pid: Probe("/api/v1/practitioners/%s/availability" % fx.random_id(),
                                   {404}),
        ("PUT", "/api/v1/practitioners/{id}/availability"):
            lambda who, pid: Probe("/api/v1/practitioners/%s/availability" % fx.random_id(),
                                   {404}, {"rules": []}),
        ("POST", "/api/v1/practitioners/{id}/exceptions"):
            lambda who, pid: Probe("/api/v1/practitioners/%s/exceptions" % fx.random_id(), {404},
                                   {"date": "2030-01-07", "kind": "time_off"}),
        ("DELETE", "/api/v1/practitioners/{id}/exceptions/{exception}"):
            lambda who, pid: Probe("/api/v1/practitioners/%s/exceptions/%s"
                                   % (fx.random_id(), fx.random_id()), {404}),
        ("GET", "/api/v1/practitioners/{id}/schedule"):
            lambda who, pid: Probe("/api/v1/practitioners/%s/schedule" % fx.random_id(), {404}),
        ("GET", "/api/v1/practitioners/{id}/queue"):
            lambda who, pid: Probe("/api/v1/practitioners/%s/queue" % fx.random_id(), {404}),
        ("GET", "/api/v1/visit-types"): lambda who, pid: Probe("/api/v1/visit-types", {200}),
        ("PUT", "/api/v1/visit-types/{code}"):
            lambda who, pid: Probe("/api/v1/visit-types/matrix", {400}, {"name": ""}),
        ("GET", "/api/v1/slots"): lambda who, pid: Probe("/api/v1/slots", {400}),
        ("POST", "/api/v1/appointments"): lambda who, pid: Probe("/api/v1/appointments", {400}, {}),
        ("GET", "/api/v1/appointments"): lambda who, pid: Probe("/api/v1/appointments", {200}),
        ("GET", "/api/v1/appointments/{id}"):
            lambda who, pid: Probe("/api/v1/appointments/" + fx.random_id(), {404}),
        ("POST", "/api/v1/appointments/{id}/reschedule"):
            lambda who, pid: Probe("/api/v1/appointments/%s/reschedule" % fx.random_id(), {404},
                                   {"start": "2030-01-07T10:00:00Z"}),
        ("POST", "/api/v1/appointments/{id}/cancel"):
            lambda who, pid: Probe("/api/v1/appointments/%s/cancel" % fx.random_id(), {404},
                                   {"reason": "matrix probe"}),
        ("POST", "/api/v1/appointments/{id}/check-in"):
            lambda who, pid: Probe("/api/v1/appointments/%s/check-in" % fx.random_id(), {404}),
        ("POST", "/api/v1/appointments/{id}/start"):
            lambda who, pid: Probe("/api/v1/appointments/%s/start" % fx.random_id(), {404}),
        ("POST", "/api/v1/appointments/{id}/complete"):
            lambda who, pid: Probe("/api/v1/appointments/%s/complete" % fx.random_id(), {404}),
        ("POST", "/api/v1/appointments/{id}/no-show"):
            lambda who, pid: Probe("/api/v1/appointments/%s/no-show" % fx.random_id(), {404}),
        ("POST", "/api/v1/appointments/{id}/urgency"):
            lambda who, pid: Probe("/api/v1/appointments/%s/urgency" % fx.random_id(), {404},
                                   {"urgent": True}),
        ("POST", "/api/v1/appointments/{id}/invitations"):
            lambda who, pid: Probe("/api/v1/appointments/%s/invitations" % fx.random_id(), {404},
                                   {"email": "guest@example.org", "relationship": "caregiver"}),
        ("GET", "/api/v1/appointments/{id}/invitations"):
            lambda who, pid: Probe("/api/v1/appointments/%s/invitations" % fx.random_id(), {404}),
        ("DELETE", "/api/v1/appointments/{id}/invitations/{invitation}"):
            lambda who, pid: Probe("/api/v1/appointments/%s/invitations/%s"
                                   % (fx.random_id(), fx.random_id()), {404}),
        # Without a token in the body: refused after the gate.
        ("POST", "/api/v1/guest/redeem"):
            lambda who, pid: Probe("/api/v1/guest/redeem", {400}, {}),
        ("GET", "/api/v1/guest/visit"): lambda who, pid: Probe("/api/v1/guest/visit", {200}),
        ("GET", "/api/v1/reminders"): lambda who, pid: Probe("/api/v1/reminders", {200}),
        ("POST", "/api/v1/reminders/{id}/retry"):
            lambda who, pid: Probe("/api/v1/reminders/%s/retry" % fx.random_id(), {404}),
        ("GET", "/api/v1/me/reminder-preferences"):
            lambda who, pid: Probe("/api/v1/me/reminder-preferences", {200, 404}),
        ("PUT", "/api/v1/me/reminder-preferences"):
            lambda who, pid: Probe("/api/v1/me/reminder-preferences", {200, 404},
                                   {"sms_opt_out": False}),
        ("GET", "/api/v1/patients/{id}/reminder-preferences"):
            lambda who, pid: Probe("/api/v1/patients/%s/reminder-preferences" % pid, {200}),
        ("PUT", "/api/v1/patients/{id}/reminder-preferences"):
            lambda who, pid: Probe("/api/v1/patients/%s/reminder-preferences" % pid, {200},
                                   {"email_opt_out": False}),
        # Not a practitioner: refused after the gate.
        ("POST", "/api/v1/practitioners/{id}/calendar-token"):
            lambda who, pid: Probe("/api/v1/practitioners/%s/calendar-token" % fx.random_id(),
                                   {404}),
        ("DELETE", "/api/v1/practitioners/{id}/calendar-token"):
            lambda who, pid: Probe("/api/v1/practitioners/%s/calendar-token" % fx.random_id(),
                                   {404}),
        ("GET", "/api/v1/calendar/{token}.ics"):
            lambda who, pid: Probe("/api/v1/calendar/%s.ics" % ("A" * 43), {404}),
        ("GET", "/api/v1/ws"): lambda who, pid: Probe("/api/v1/ws", {404, 426}),
        ("GET", "/api/v1/conversations"): lambda who, pid: Probe("/api/v1/conversations", {200}),
        ("POST", "/api/v1/conversations"):
            lambda who, pid: Probe("/api/v1/conversations", {400},
                                   {"kind": "nonsense", "members": []}),
        ("GET", "/api/v1/conversations/{id}/messages"):
            lambda who, pid: Probe("/api/v1/conversations/%s/messages" % fx.random_id(), {404}),
        ("POST", "/api/v1/conversations/{id}/messages"):
            lambda who, pid: Probe("/api/v1/conversations/%s/messages" % fx.random_id(), {404},
                                   {"body": "matrix probe"}),
        ("POST", "/api/v1/conversations/{id}/read"):
            lambda who, pid: Probe("/api/v1/conversations/%s/read" % fx.random_id(), {404},
                                   {"seq": 1}),
        ("GET", "/api/v1/messages/search"):
            lambda who, pid: Probe("/api/v1/messages/search?q=probe", {200}),
        ("POST", "/api/v1/patients/{id}/documents"):
            lambda who, pid: Probe("/api/v1/patients/%s/documents" % pid, {201},
                                   b"matrix probe", "text/plain"),
        ("GET", "/api/v1/patients/{id}/documents"):
            lambda who, pid: Probe("/api/v1/patients/%s/documents" % pid, {200}),
        ("GET", "/api/v1/documents/{id}"):
            lambda who, pid: Probe("/api/v1/documents/" + fx.random_id(), {404}),
        ("GET", "/api/v1/documents/{id}/content"):
            lambda who, pid: Probe("/api/v1/documents/%s/content" % fx.random_id(), {404}),
    }


def table_rows():
    """(method, pattern, scope or None, {who: outcome}) for each row."""
    for outcomes, route in TABLE:
        words = route.split()
        method, pattern, scope = (words + [None])[:3]
        expected = outcomes.split()
        assert len(expected) == len(WHO), route
        yield method, pattern, scope, dict(zip(WHO, expected))


class Context:
    pass


class AuthorizationMatrixTest(fx.AccessTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        daemon = cls.daemon
        ctx = cls.ctx = Context()
        ctx.patient_in = fx.create_patient(daemon)
        ctx.patient_out = fx.create_patient(daemon)
        cls.accounts = {"patient": fx.create_account(daemon, "patient",
                                                     patient_mrn=ctx.patient_in["mrn"])}
        for role in fx.STAFF_ROLES:
            cls.accounts[role] = fx.create_account(daemon, role)
        cls.accounts["unenrolled"] = fx.create_account(daemon, "clinician", mfa=False)
        for who, account in cls.accounts.items():
            if who != "patient":
                fx.add_to_care_team(daemon, ctx.patient_in["id"], account.id)
        # The target of user, token and care-team probes: billing, whose
        # access does not depend on care teams.
        ctx.spare_user_id = cls.accounts["billing"].id
        ctx.custom_role = fx.unique("matrix_custom_")
        fx.expect(daemon.admin("POST", "/api/v1/roles",
                               {"name": ctx.custom_role, "permissions": ["billing.export"]}),
                  201, "create custom role")
        ctx.audit_event_id = daemon.sql("SELECT id FROM audit_events ORDER BY seq LIMIT 1")[0]

    def send(self, who, method, probe):
        if who == "operator":
            return self.daemon.admin(method, probe.path, probe.body)
        headers = {"Content-Type": probe.content_type} if probe.content_type else None
        token = None
        if who != "anonymous":
            token = self.accounts[who].token
            if probe.path == "/api/v1/auth/logout":
                # A session of its own, so the shared one stays signed in.
                token = fx.sign_in(self.daemon, self.accounts[who]).token
        return self.daemon.request(method, probe.path, body=probe.body, headers=headers,
                                   token=token)

    def outcome(self, reply, probe, scoped):
        if reply.status in (401, 403):
            return str(reply.status)
        if reply.status == 404 and scoped and 404 not in probe.allowed:
            return "404"
        if reply.status in probe.allowed:
            return "ok"
        return "unexpected %d" % reply.status

    # ---- the table against the daemon ----

    def test_every_route_has_a_row_and_every_row_a_route(self):
        reply = self.daemon.admin("GET", "/api/v1/routes")

        self.assertStatus(reply, 200)
        live = {(item["method"], item["pattern"]) for item in reply.json()["items"]}
        rows = {}
        for method, pattern, scope, _ in table_rows():
            rows.setdefault((method, pattern), set()).add(scope)
        missing = sorted(live - set(rows))
        stale = sorted(set(rows) - live)
        self.assertEqual(missing, [], "routes without a row in TABLE: add a reviewed row")
        self.assertEqual(stale, [], "rows in TABLE for routes that no longer exist")
        for (method, pattern), scopes in rows.items():
            wanted = {"in", "out"} if PATIENT_SCOPED.match(pattern) else {None}
            self.assertEqual(scopes, wanted, "scope rows of %s %s" % (method, pattern))
        self.assertEqual(set(probes(self.ctx)), set(rows), "every row needs a probe")

    def test_each_caller_gets_the_outcome_the_table_states(self):
        builders = probes(self.ctx)
        mismatches = []

        for method, pattern, scope, expected in table_rows():
            patient = {"in": self.ctx.patient_in, "out": self.ctx.patient_out}.get(scope)
            for who in WHO:
                probe = builders[(method, pattern)](who, patient["id"] if patient else None)
                reply = self.send(who, method, probe)
                got = self.outcome(reply, probe, scope is not None)
                if got != expected[who]:
                    mismatches.append("%-7s %-48s %-4s %-19s expected %-4s got %s: %s" % (
                        method, pattern, scope or "", who, expected[who], got, reply.body[:160]))

        if mismatches:
            self.fail("%d outcome(s) differ from TABLE:\n%s" % (len(mismatches),
                                                              "\n".join(mismatches)))

    # ---- separation of duties, stated one by one ----

    def read_record(self, who, patient):
        return self.daemon.get("/api/v1/patients/" + patient["id"],
                               token=self.accounts[who].token)

    def test_admin_cannot_read_a_patient_record_even_on_the_care_team(self):
        record = self.read_record("admin", self.ctx.patient_in)
        demographics = self.daemon.get(
            "/api/v1/patients/%s/demographics" % self.ctx.patient_in["id"],
            token=self.accounts["admin"].token)

        self.assertStatus(record, 403)
        self.assertStatus(demographics, 403)
        self.assertNotIn(self.ctx.patient_in["family_name"].encode(), record.body)

    def test_operator_cannot_read_a_patient_record(self):
        reply = self.daemon.admin("GET", "/api/v1/patients/" + self.ctx.patient_in["id"])

        self.assertStatus(reply, 403)

    def test_admin_and_operator_cannot_read_the_audit_trail(self):
        as_admin = self.daemon.get("/api/v1/audit/events", token=self.accounts["admin"].token)
        as_operator = self.daemon.admin("GET", "/api/v1/audit/events")
        as_compliance = self.daemon.get("/api/v1/audit/events",
                                        token=self.accounts["compliance_officer"].token)

        self.assertStatus(as_admin, 403)
        self.assertStatus(as_operator, 403)
        self.assertStatus(as_compliance, 200)

    def test_admin_and_compliance_roles_hold_no_clinical_permission(self):
        roles = {role["name"]: set(role["permissions"])
                 for role in self.daemon.admin("GET", "/api/v1/roles").json()["items"]}

        clinical = {"patient.read", "note.read", "note.write", "note.sign"}
        self.assertEqual(roles["admin"] & (clinical | {"patient.demographics", "audit.read"}),
                         set())
        self.assertEqual(roles["compliance_officer"] & clinical, set())
        self.assertIn("audit.read", roles["compliance_officer"])
        self.assertEqual(roles["front_desk"] & clinical, set())
        self.assertEqual(roles["billing"] & clinical, set())

    def test_compliance_officer_cannot_read_a_clinical_record(self):
        reply = self.read_record("compliance_officer", self.ctx.patient_in)

        self.assertStatus(reply, 403)

    def test_front_desk_gets_demographics_but_not_the_record(self):
        token = self.accounts["front_desk"].token
        demographics = self.daemon.get(
            "/api/v1/patients/%s/demographics" % self.ctx.patient_out["id"], token=token)
        record = self.daemon.get("/api/v1/patients/" + self.ctx.patient_in["id"], token=token)

        self.assertStatus(demographics, 200)
        self.assertEqual(demographics.json()["mrn"], self.ctx.patient_out["mrn"])
        self.assertStatus(record, 403)

    def test_clinician_reads_a_record_only_on_the_care_team(self):
        on_team = self.read_record("clinician", self.ctx.patient_in)
        off_team = self.read_record("clinician", self.ctx.patient_out)
        missing = self.daemon.get("/api/v1/patients/" + fx.random_id(),
                                  token=self.accounts["clinician"].token)

        self.assertStatus(on_team, 200)
        self.assertEqual(on_team.json()["patient"]["id"], self.ctx.patient_in["id"])
        self.assertFalse(on_team.json()["emergency_access"])
        self.assertStatus(off_team, 404)
        # Out of scope and nonexistent are indistinguishable.
        self.assertEqual(off_team.json(), missing.json())

    def test_patient_reads_only_their_own_record(self):
        own = self.read_record("patient", self.ctx.patient_in)
        other = self.read_record("patient", self.ctx.patient_out)

        self.assertStatus(own, 200)
        self.assertEqual(own.json()["patient"]["id"], self.accounts["patient"].patient_id)
        self.assertStatus(other, 404)

    def test_patient_cannot_list_patients(self):
        reply = self.daemon.get("/api/v1/patients", token=self.accounts["patient"].token)

        self.assertStatus(reply, 403)

    def test_denials_are_audited_without_path_values(self):
        self.read_record("admin", self.ctx.patient_out)

        rows = self.daemon.sql(
            "SELECT resource_id FROM audit_events WHERE outcome = 'denied' "
            "AND resource_type = 'route' AND actor_user_id = '%s'" % self.accounts["admin"].id)
        self.assertIn("GET /api/v1/patients/{id}", rows)
        self.assertFalse(any(self.ctx.patient_out["id"] in row for row in rows), rows)


if __name__ == "__main__":
    harness.main()
