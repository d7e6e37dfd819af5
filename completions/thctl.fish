# fish completion for thctl(1), the telehealthd administration tool.

# The children of a command path (no argument for the top level); nothing for a verb.
function __thctl_children
    switch "$argv"
        case ''
            echo status user role careteam session token access patient audit integrity keys \
                practitioner appointment schedule reminder calendar document
        case user
            echo create list show disable enable unlock reset-mfa enrolment import
        case role
            echo list show create grant revoke
        case careteam
            echo add remove list
        case document
            echo list
        case session
            echo list revoke
        case token
            echo create list revoke
        case access
            echo emergency
        case 'access emergency'
            echo list review
        case patient
            echo create import list show
        case audit
            echo verify checkpoint public-key prove consistency search report export
        case 'audit report'
            echo access user emergency failed-logins
        case integrity
            echo check
        case keys
            echo generate rotate status
        case practitioner
            echo set license list show
        case 'practitioner license'
            echo add remove
        case appointment
            echo list show cancel invite invitations uninvite
        case schedule
            echo day
        case reminder
            echo list retry
        case calendar
            echo token
        case 'calendar token'
            echo rotate revoke
    end
end

# The noun and verb typed so far, space-separated, with the options and their values skipped.
function __thctl_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path
    set -l skip 0
    for token in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $token
            case --socket --url --token-file --ca-file --output -o --username --role --email \
                --kind --patient --permission --description --idle-timeout --user --name \
                --expires-in-days --outcome --comment --mrn --given-name --family-name \
                --birth-date --sex --state --phone --address --from --to --action --resource \
                --limit --after --format --out --npi --license --time-zone --slot-minutes \
                --display-name --practitioner --date --status --tz --reason --relationship
                set skip 1
            case '-*'
            case '*'
                if contains -- $token (string split ' ' -- (__thctl_children "$path"))
                    set path $path $token
                end
        end
    end
    string join ' ' -- $path
end

# True when the command path typed so far is exactly $argv[1].
function __thctl_at
    set -l path (__thctl_path)
    test "$path" = "$argv[1]"
end

complete -c thctl -f

# Global options.
complete -c thctl -l socket -r -F -d 'admin socket of the local daemon'
complete -c thctl -l url -x -d 'https://HOST:PORT of a remote daemon'
complete -c thctl -l token-file -r -F -d 'file holding a bearer token for --url'
complete -c thctl -l ca-file -r -F -d 'CA certificate to trust for --url'
complete -c thctl -s o -l output -x -a 'table json csv' -d 'output format'
complete -c thctl -s q -l quiet -d 'print nothing on success'
complete -c thctl -l version -d 'print the version'
complete -c thctl -s h -l help -d 'print help'

# Nouns.
complete -c thctl -n '__thctl_at ""' -a status -d "the daemon's version, uptime and state"
complete -c thctl -n '__thctl_at ""' -a user -d 'staff, patients and services'
complete -c thctl -n '__thctl_at ""' -a role -d 'roles and their permissions'
complete -c thctl -n '__thctl_at ""' -a careteam -d 'care teams of patients'
complete -c thctl -n '__thctl_at ""' -a session -d 'sign-in sessions'
complete -c thctl -n '__thctl_at ""' -a token -d 'API tokens'
complete -c thctl -n '__thctl_at ""' -a access -d 'review of access to records'
complete -c thctl -n '__thctl_at ""' -a patient -d 'patients and demographics'
complete -c thctl -n '__thctl_at ""' -a audit -d 'integrity of the audit log'
complete -c thctl -n '__thctl_at ""' -a integrity -d 'integrity of stored personal data'
complete -c thctl -n '__thctl_at ""' -a keys -d 'key-encryption keys and their rotation'
complete -c thctl -n '__thctl_at ""' -a practitioner -d "practitioners' licenses and zones"
complete -c thctl -n '__thctl_at ""' -a appointment -d 'appointments'
complete -c thctl -n '__thctl_at ""' -a schedule -d "a practitioner's day"
complete -c thctl -n '__thctl_at ""' -a reminder -d 'messages to patients (the outbox)'
complete -c thctl -n '__thctl_at ""' -a calendar -d "practitioners' calendar feeds"
complete -c thctl -n '__thctl_at ""' -a document -d 'documents of patients'

# user
complete -c thctl -n '__thctl_at user' -a create -d 'create a user'
complete -c thctl -n '__thctl_at user' -a list -d 'list users'
complete -c thctl -n '__thctl_at user' -a show -d 'show a user'
complete -c thctl -n '__thctl_at user' -a disable -d 'disable a user'
complete -c thctl -n '__thctl_at user' -a enable -d 'enable a user'
complete -c thctl -n '__thctl_at user' -a unlock -d 'unlock a user'
complete -c thctl -n '__thctl_at user' -a reset-mfa -d "remove a user's MFA"
complete -c thctl -n '__thctl_at user' -a enrolment -d 'issue a new enrolment code'
complete -c thctl -n '__thctl_at user' -a import -d 'create users from a CSV file'
complete -c thctl -n '__thctl_at "user create"' -l username -x -d 'sign-in name'
complete -c thctl -n '__thctl_at "user create"' -l role -x \
    -a 'admin clinician nurse front_desk billing compliance_officer patient' -d 'role'
complete -c thctl -n '__thctl_at "user create"' -l email -x -d 'contact address'
complete -c thctl -n '__thctl_at "user create"' -l kind -x -a 'staff patient service' -d 'kind'
complete -c thctl -n '__thctl_at "user create"' -l patient -x -d 'MRN of the patient record'
complete -c thctl -n '__thctl_at "user import"' -F -d 'CSV file'

# role
set -l __thctl_permissions patient.read patient.write patient.demographics note.read note.write \
    note.sign message.read message.send document.read document.write appointment.read \
    appointment.write schedule.manage audit.read audit.verify user.manage role.manage careteam.manage session.manage token.manage \
    billing.read billing.export breach.manage baa.manage emergency.access emergency.review \
    integrity.check keys.manage system.status system.manage
complete -c thctl -n '__thctl_at role' -a list -d 'list roles'
complete -c thctl -n '__thctl_at role' -a show -d 'show a role'
complete -c thctl -n '__thctl_at role' -a create -d 'create a role'
complete -c thctl -n '__thctl_at role' -a grant -d 'add a permission to a role'
complete -c thctl -n '__thctl_at role' -a revoke -d 'remove a permission from a role'
complete -c thctl -n '__thctl_at "role create"' -l permission -x -a "$__thctl_permissions" \
    -d 'permission'
complete -c thctl -n '__thctl_at "role create"' -l description -x -d 'what the role is for'
complete -c thctl -n '__thctl_at "role create"' -l idle-timeout -x -d 'idle timeout in seconds'
complete -c thctl -n '__thctl_at "role create"' -l no-mfa -d 'do not require MFA'
complete -c thctl -n '__thctl_at "role grant"; or __thctl_at "role revoke"' \
    -a "$__thctl_permissions" -d 'permission'

# document
complete -c thctl -n '__thctl_at document' -a list -d "list a patient's uploaded documents"
complete -c thctl -n '__thctl_at "document list"' -l patient -x -d 'ID or MRN of the patient'

# careteam
complete -c thctl -n '__thctl_at careteam' -a add -d 'put a staff member on a care team'
complete -c thctl -n '__thctl_at careteam' -a remove -d 'take a staff member off a care team'
complete -c thctl -n '__thctl_at careteam' -a list -d "list a patient's care team"
complete -c thctl -n '__thctl_at "careteam add"; or __thctl_at "careteam remove"; or __thctl_at "careteam list"' \
    -l patient -x -d 'ID or MRN of the patient'
complete -c thctl -n '__thctl_at "careteam add"; or __thctl_at "careteam remove"' \
    -l user -x -d 'ID or USERNAME of the staff member'

# session
complete -c thctl -n '__thctl_at session' -a list -d 'list sessions'
complete -c thctl -n '__thctl_at session' -a revoke -d 'end a session'
complete -c thctl -n '__thctl_at "session list"' -l user -x -d 'only this ID or USERNAME'

# token
complete -c thctl -n '__thctl_at token' -a create -d 'create a token'
complete -c thctl -n '__thctl_at token' -a list -d 'list tokens'
complete -c thctl -n '__thctl_at token' -a revoke -d 'revoke a token'
complete -c thctl -n '__thctl_at "token create"' -l user -x -d 'ID or USERNAME it acts as'
complete -c thctl -n '__thctl_at "token create"' -l name -x -d 'what the token is for'
complete -c thctl -n '__thctl_at "token create"' -l role -x \
    -a 'admin clinician nurse front_desk billing compliance_officer' -d 'role of the token'
complete -c thctl -n '__thctl_at "token create"' -l expires-in-days -x -d 'lifetime in days'
complete -c thctl -n '__thctl_at "token list"' -l user -x -d 'only this ID or USERNAME'

# access
complete -c thctl -n '__thctl_at access' -a emergency -d 'emergency access and its review'
complete -c thctl -n '__thctl_at "access emergency"' -a list -d 'list emergency access grants'
complete -c thctl -n '__thctl_at "access emergency"' -a review -d 'record the outcome of a review'
complete -c thctl -n '__thctl_at "access emergency list"' -l pending -d 'only those not reviewed'
complete -c thctl -n '__thctl_at "access emergency review"' -l outcome -x \
    -a 'justified unjustified' -d 'outcome'
complete -c thctl -n '__thctl_at "access emergency review"' -l comment -x -d "reviewer's note"

# patient
complete -c thctl -n '__thctl_at patient' -a create -d 'register a patient'
complete -c thctl -n '__thctl_at patient' -a import -d 'register patients from a CSV file'
complete -c thctl -n '__thctl_at patient' -a list -d 'list patients'
complete -c thctl -n '__thctl_at patient' -a show -d "show a patient's demographics"
complete -c thctl -n '__thctl_at "patient import"' -F -d 'CSV file'
complete -c thctl -n '__thctl_at "patient create"' -l mrn -x -d 'medical record number'
complete -c thctl -n '__thctl_at "patient create"' -l given-name -x -d 'given name'
complete -c thctl -n '__thctl_at "patient create"' -l family-name -x -d 'family name'
complete -c thctl -n '__thctl_at "patient create"' -l birth-date -x -d 'YYYY-MM-DD'
complete -c thctl -n '__thctl_at "patient create"' -l sex -x -a 'female male other unknown' \
    -d 'sex'
complete -c thctl -n '__thctl_at "patient create"' -l state -x -d 'two-letter state'
complete -c thctl -n '__thctl_at "patient create"' -l phone -x -d 'telephone number'
complete -c thctl -n '__thctl_at "patient create"' -l email -x -d 'e-mail address'
complete -c thctl -n '__thctl_at "patient create"' -l address -x -d 'postal address'

# audit
complete -c thctl -n '__thctl_at audit' -a verify -d 'check the log and every checkpoint'
complete -c thctl -n '__thctl_at audit' -a checkpoint -d 'print the newest signed checkpoint'
complete -c thctl -n '__thctl_at audit' -a public-key -d 'print the checkpoint signing key'
complete -c thctl -n '__thctl_at audit' -a prove -d 'inclusion proof of an event'
complete -c thctl -n '__thctl_at audit' -a consistency -d 'consistency proof of two checkpoints'
complete -c thctl -n '__thctl_at "audit checkpoint"' -l now -d 'sign a checkpoint first'
complete -c thctl -n '__thctl_at "audit consistency"' -l from -x -d 'older tree size'
complete -c thctl -n '__thctl_at "audit consistency"' -l to -x -d 'newer tree size'
complete -c thctl -n '__thctl_at audit' -a search -d 'search audit events'
complete -c thctl -n '__thctl_at audit' -a report -d 'compliance reports from the audit log'
complete -c thctl -n '__thctl_at audit' -a export -d 'export audit events as CSV, NDJSON or FHIR'
complete -c thctl -n '__thctl_at "audit search"' -l user -x -d 'only events of this actor (user ID)'
complete -c thctl -n '__thctl_at "audit search"' -l patient -x -d 'only events about this patient ID'
complete -c thctl -n '__thctl_at "audit search"' -l action -x -d 'only this action: read, login, search, ...'
complete -c thctl -n '__thctl_at "audit search"' -l resource -x -d 'only this resource type'
complete -c thctl -n '__thctl_at "audit search"' -l outcome -x -a 'success denied error' -d 'only this outcome'
complete -c thctl -n '__thctl_at "audit search"' -l from -x -d 'at or after TIME (RFC 3339 or YYYY-MM-DD)'
complete -c thctl -n '__thctl_at "audit search"' -l to -x -d 'at or before TIME'
complete -c thctl -n '__thctl_at "audit search"' -l emergency -d 'only emergency (break-glass) access'
complete -c thctl -n '__thctl_at "audit export"' -l user -x -d 'only events of this actor (user ID)'
complete -c thctl -n '__thctl_at "audit export"' -l patient -x -d 'only events about this patient ID'
complete -c thctl -n '__thctl_at "audit export"' -l action -x -d 'only this action: read, login, search, ...'
complete -c thctl -n '__thctl_at "audit export"' -l resource -x -d 'only this resource type'
complete -c thctl -n '__thctl_at "audit export"' -l outcome -x -a 'success denied error' -d 'only this outcome'
complete -c thctl -n '__thctl_at "audit export"' -l from -x -d 'at or after TIME (RFC 3339 or YYYY-MM-DD)'
complete -c thctl -n '__thctl_at "audit export"' -l to -x -d 'at or before TIME'
complete -c thctl -n '__thctl_at "audit export"' -l emergency -d 'only emergency (break-glass) access'
complete -c thctl -n '__thctl_at "audit search"' -l limit -x -d 'events per page (1-1000)'
complete -c thctl -n '__thctl_at "audit search"' -l all -d 'follow every page to the end'
complete -c thctl -n '__thctl_at "audit search"' -l after -x -d 'continue after this cursor'
complete -c thctl -n '__thctl_at "audit export"' -l format -x -a 'csv ndjson fhir' -d 'output format'
complete -c thctl -n '__thctl_at "audit export"' -l out -r -F -d 'write to FILE'
complete -c thctl -n '__thctl_at "audit report"' -a access -d 'who accessed a patient'
complete -c thctl -n '__thctl_at "audit report"' -a user -d 'what a user did'
complete -c thctl -n '__thctl_at "audit report"' -a emergency -d 'emergency access and its review'
complete -c thctl -n '__thctl_at "audit report"' -a failed-logins -d 'failed sign-ins by account and address'
complete -c thctl -n '__thctl_at "audit report access"' -l patient -x -d 'ID of the patient'
complete -c thctl -n '__thctl_at "audit report user"' -l user -x -d 'ID of the user'
complete -c thctl -n '__thctl_at "audit report access"' -l from -x -d 'at or after TIME'
complete -c thctl -n '__thctl_at "audit report access"' -l to -x -d 'at or before TIME'
complete -c thctl -n '__thctl_at "audit report user"' -l from -x -d 'at or after TIME'
complete -c thctl -n '__thctl_at "audit report user"' -l to -x -d 'at or before TIME'
complete -c thctl -n '__thctl_at "audit report failed-logins"' -l from -x -d 'at or after TIME'
complete -c thctl -n '__thctl_at "audit report failed-logins"' -l to -x -d 'at or before TIME'

# integrity
complete -c thctl -n '__thctl_at integrity' -a check -d 'check every record of personal data'
# keys
complete -c thctl -n '__thctl_at keys' -a generate -d 'write a new key-encryption key file'
complete -c thctl -n '__thctl_at keys' -a rotate -d 're-wrap every data key under the current key'
complete -c thctl -n '__thctl_at keys' -a status -d 'the current key and the data keys under old ones'
complete -c thctl -n '__thctl_at "keys generate"' -F -d 'new key file'
# practitioner
complete -c thctl -n '__thctl_at practitioner' -a set -d "create or replace a profile"
complete -c thctl -n '__thctl_at practitioner' -a license -d 'add or remove licensed states'
complete -c thctl -n '__thctl_at practitioner' -a list -d 'list practitioners'
complete -c thctl -n '__thctl_at practitioner' -a show -d "show a practitioner's profile"
complete -c thctl -n '__thctl_at "practitioner set"' -l npi -x -d 'National Provider Identifier'
complete -c thctl -n '__thctl_at "practitioner set"' -l license -x -d 'states licensed in'
complete -c thctl -n '__thctl_at "practitioner set"' -l time-zone -x -d 'IANA time zone'
complete -c thctl -n '__thctl_at "practitioner set"' -l slot-minutes -x -d 'length of a slot'
complete -c thctl -n '__thctl_at "practitioner set"' -l display-name -x -d 'name in reminders'
complete -c thctl -n '__thctl_at "practitioner license"' -a add -d 'add licensed states'
complete -c thctl -n '__thctl_at "practitioner license"' -a remove -d 'remove licensed states'
complete -c thctl -n '__thctl_at "practitioner license add"' -l state -x -d 'states, e.g. CA,OR'
complete -c thctl -n '__thctl_at "practitioner license remove"' -l state -x -d 'states, e.g. CA,OR'

# appointment
set -l __thctl_statuses scheduled checked_in in_progress completed cancelled no_show
complete -c thctl -n '__thctl_at appointment' -a list -d 'list appointments'
complete -c thctl -n '__thctl_at appointment' -a show -d 'show an appointment'
complete -c thctl -n '__thctl_at appointment' -a cancel -d 'cancel an appointment'
complete -c thctl -n '__thctl_at "appointment list"' -l practitioner -x -d 'practitioner'
complete -c thctl -n '__thctl_at "appointment list"' -l patient -x -d 'patient'
complete -c thctl -n '__thctl_at "appointment list"' -l date -x -d 'only that day'
complete -c thctl -n '__thctl_at "appointment list"' -l status -x -a "$__thctl_statuses" \
    -d 'only this status'
complete -c thctl -n '__thctl_at "appointment list"' -l tz -x -d 'time zone of the times'
complete -c thctl -n '__thctl_at "appointment show"' -l tz -x -d 'time zone of the times'
complete -c thctl -n '__thctl_at "appointment cancel"' -l reason -x -d 'why it is cancelled'
complete -c thctl -n '__thctl_at appointment' -a invite -d 'invite a guest to a visit'
complete -c thctl -n '__thctl_at appointment' -a invitations -d 'list the guests of a visit'
complete -c thctl -n '__thctl_at appointment' -a uninvite -d "revoke a guest's invitation"
complete -c thctl -n '__thctl_at "appointment invite"' -l email -x -d "the guest's email address"
complete -c thctl -n '__thctl_at "appointment invite"' -l relationship -x \
    -a 'family_member caregiver interpreter' -d 'who the guest is'
complete -c thctl -n '__thctl_at "appointment invite"' -l tz -x -d 'time zone of the times'
complete -c thctl -n '__thctl_at "appointment invitations"' -l tz -x -d 'time zone of the times'

# schedule
complete -c thctl -n '__thctl_at schedule' -a day -d "a practitioner's appointments of one day"
complete -c thctl -n '__thctl_at "schedule day"' -l practitioner -x -d 'practitioner'
complete -c thctl -n '__thctl_at "schedule day"' -l date -x -d 'the day'
complete -c thctl -n '__thctl_at "schedule day"' -l tz -x -d 'time zone of the day'
# reminder
complete -c thctl -n '__thctl_at reminder' -a list -d 'list queued, sent and failed messages'
complete -c thctl -n '__thctl_at reminder' -a retry -d 'send a failed message again'
complete -c thctl -n '__thctl_at "reminder list"' -l status -x \
    -a 'pending sending sent failed cancelled' -d 'only messages in this state'
complete -c thctl -n '__thctl_at "reminder list"' -l limit -x -d 'at most this many (1-1000)'

# calendar
complete -c thctl -n '__thctl_at calendar' -a token -d 'the secret tokens in feed URLs'
complete -c thctl -n '__thctl_at "calendar token"' -a rotate -d 'issue a new feed URL'
complete -c thctl -n '__thctl_at "calendar token"' -a revoke -d "end a practitioner's feed URL"
complete -c thctl -n '__thctl_at "calendar token rotate"' -l practitioner -x \
    -d 'user ID of the practitioner'
complete -c thctl -n '__thctl_at "calendar token revoke"' -l practitioner -x \
    -d 'user ID of the practitioner'
