"""Shared helpers for the access-control tests: accounts of every built-in
role signed in with MFA, patients, care teams, and a TOTP authenticator
computed in Python (RFC 6238, HMAC-SHA-1, 30-second steps, six digits).

Accounts are created through the admin socket (as the local operator would)
and enrolled over HTTPS exactly as a person would: one-time enrolment code,
first password, sign-in, authenticator enrolment and confirmation. Argon2
makes each account cost about a tenth of a second, so test classes create
each account once and share its session.

Python standard library only.
"""

import base64
import hashlib
import hmac
import itertools
import secrets
import struct
import time
import uuid

import harness

ROLES = ["patient", "clinician", "nurse", "front_desk", "billing", "compliance_officer", "admin"]
STAFF_ROLES = [role for role in ROLES if role != "patient"]

# Sign-in and enrolment attempts are throttled per source address, and every
# test talks from 127.0.0.1; classes that do not test the throttle lift it.
UNTHROTTLED = {"login_attempts_per_minute": 100000}

TOTP_STEP_SECONDS = 30

_counter = itertools.count(1)


def unique(prefix):
    """A name no other call in this process returns: usernames, MRNs, roles."""
    return "%s%d%s" % (prefix, next(_counter), secrets.token_hex(3))


def strong_password():
    """A passphrase that passes the password policy and contains no username."""
    return "Amber orchard %s lantern" % secrets.token_hex(4)


def random_id():
    return str(uuid.uuid4())


# ---- TOTP ----

def totp_code(secret_base32, step):
    """The six-digit TOTP code of a base32 secret for one time step."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 15
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


def current_step():
    return int(time.time() // TOTP_STEP_SECONDS)


class Authenticator:
    """An authenticator app for one account. The daemon accepts the steps
    either side of now and refuses any step at or before the last one it
    accepted, so this hands out each step once, oldest usable first, and
    waits for the clock only when all of the window is used up."""

    # Near the end of a step the daemon's clock may already be in the next
    # one, where the previous-step code no longer matches.
    _BOUNDARY_MARGIN = 2.0

    def __init__(self, secret_base32):
        self.secret = secret_base32
        self.last_step = 0

    def usable_window(self):
        now = time.time()
        step = int(now // TOTP_STEP_SECONDS)
        into_step = now - step * TOTP_STEP_SECONDS
        low = step - 1 if into_step < TOTP_STEP_SECONDS - self._BOUNDARY_MARGIN else step
        return low, step + 1

    def next_code(self):
        """A code for a step the daemon has not yet seen; marks it used."""
        while True:
            low, high = self.usable_window()
            step = max(self.last_step + 1, low)
            if step <= high:
                self.last_step = step
                return totp_code(self.secret, step)
            # Wait until `step` is the next step after now.
            time.sleep(max(0.1, (step - 1) * TOTP_STEP_SECONDS - time.time() + 0.2))

    def used_code(self):
        """The code of the last step handed out (already spent)."""
        return totp_code(self.secret, self.last_step)

    def wrong_code(self):
        """Six digits that match no step near now."""
        low, high = self.usable_window()
        valid = {totp_code(self.secret, step) for step in range(low - 1, high + 2)}
        candidate = 123456
        while "%06d" % candidate in valid:
            candidate = (candidate + 1) % 1000000
        return "%06d" % candidate


# ---- accounts ----

class Account:
    """One user and the session it signed in with."""

    def __init__(self, role, username, password):
        self.role = role
        self.username = username
        self.password = password
        self.id = None
        self.patient_id = ""
        self.token = None
        self.csrf_token = None
        self.session_id = None
        self.authenticator = None
        self.recovery_codes = []

    def __repr__(self):
        return "Account(%s, %s)" % (self.role, self.username)


class Login:
    """What one successful sign-in returned."""

    def __init__(self, reply):
        body = reply.json()
        self.reply = reply
        self.token = body["token"]
        self.csrf_token = body["csrf_token"]
        self.session_id = body["session"]["id"]
        self.session = body["session"]
        self.mfa_enrolment_required = body["mfa_enrolment_required"]
        self.cookie = reply.header("Set-Cookie")


def expect(reply, status, what):
    if reply.status != status:
        raise AssertionError("%s: expected %d, got %d: %s"
                             % (what, status, reply.status, reply.body[:400]))
    return reply


def create_patient(daemon, **fields):
    """A patient record created over the admin socket; returns its JSON."""
    body = {"mrn": unique("MRN"), "given_name": "Robin", "family_name": "Example",
            "birth_date": "1980-04-12", "sex": "unknown", "state": "OR"}
    body.update(fields)
    return expect(daemon.admin("POST", "/api/v1/patients", body), 201, "create patient").json()


def add_to_care_team(daemon, patient_id, user_id):
    expect(daemon.admin("POST", "/api/v1/patients/%s/care-team" % patient_id, {"user": user_id}),
           200, "add care team member")


def create_user(daemon, role, username=None, patient_mrn=None):
    """Creates a user over the socket; returns (user JSON, enrolment code)."""
    body = {"username": username or unique(role.replace("_", "-") + "-"), "role": role,
            "email": "%s@example.org" % secrets.token_hex(4)}
    if patient_mrn:
        body["patient_mrn"] = patient_mrn
    created = expect(daemon.admin("POST", "/api/v1/users", body), 201, "create user").json()
    return created, created["enrolment_code"]


def enrol(daemon, username, code, password):
    return daemon.post("/api/v1/auth/enrol",
                       {"username": username, "code": code, "password": password})


def login(daemon, username, password, otp_code=None, recovery_code=None, connection=None):
    body = {"username": username, "password": password}
    if otp_code is not None:
        body["otp_code"] = otp_code
    if recovery_code is not None:
        body["recovery_code"] = recovery_code
    return daemon.post("/api/v1/auth/login", body, connection=connection)


def enrol_mfa(daemon, account):
    """Enrols a TOTP authenticator for the account's current session."""
    reply = expect(daemon.post("/api/v1/auth/mfa/enrol", token=account.token), 200, "begin MFA")
    account.authenticator = Authenticator(reply.json()["secret"])
    reply = expect(daemon.post("/api/v1/auth/mfa/confirm",
                               {"code": account.authenticator.next_code()},
                               token=account.token), 200, "confirm MFA")
    account.recovery_codes = reply.json()["recovery_codes"]


def create_account(daemon, role, mfa=None, patient_mrn=None, username=None):
    """A user of `role`, enrolled and signed in. Staff roles require MFA, so
    by default staff get an authenticator (their session is then fully
    signed in); pass mfa=False to leave a staff session before MFA
    enrolment. A patient account needs its patient record's MRN."""
    if role == "patient" and patient_mrn is None:
        patient_mrn = create_patient(daemon)["mrn"]
    account = Account(role, username or unique(role.replace("_", "-") + "-"), strong_password())
    user, code = create_user(daemon, role, account.username, patient_mrn)
    account.id = user["id"]
    account.patient_id = user["patient_id"]
    expect(enrol(daemon, account.username, code, account.password), 200, "enrol")
    signed_in = Login(expect(login(daemon, account.username, account.password), 200, "login"))
    account.token = signed_in.token
    account.csrf_token = signed_in.csrf_token
    account.session_id = signed_in.session_id
    if mfa if mfa is not None else role != "patient":
        enrol_mfa(daemon, account)
    return account


def sign_in(daemon, account, connection=None):
    """A further session for an account (with a fresh TOTP code when it has
    MFA); returns the Login."""
    otp = account.authenticator.next_code() if account.authenticator else None
    return Login(expect(login(daemon, account.username, account.password, otp_code=otp,
                              connection=connection), 200, "sign in " + account.username))


def error_code(reply):
    """The error object's message prefix ("invalid_credentials", ...)."""
    try:
        return reply.json()["error"]["message"].split(":")[0]
    except (ValueError, KeyError, TypeError):
        return None


class AccessTestCase(harness.DaemonTestCase):
    """A daemon with the sign-in throttle lifted (unless the class sets its
    own [auth] overrides) and assertion helpers that show the body."""

    DAEMON_OVERRIDES = {"auth": dict(UNTHROTTLED)}

    def assertStatus(self, reply, status, what=""):
        self.assertEqual(reply.status, status, "%s: %s" % (what, reply.body[:400]))

    def assertErrorCode(self, reply, status, reason):
        self.assertStatus(reply, status)
        self.assertEqual(error_code(reply), reason, reply.body[:400])
