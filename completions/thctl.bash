# bash completion for thctl(1), the telehealthd administration tool.
# Installed as bash-completion/completions/thctl; needs no other helpers.

# The children of a command path ("" for the top level); empty for a verb.
_thctl_children() {
  case "$1" in
    "")
      echo "status user role careteam session token access patient audit integrity keys" \
        "practitioner appointment schedule reminder calendar document"
      ;;
    user) echo "create list show disable enable unlock reset-mfa enrolment import" ;;
    role) echo "list show create grant revoke" ;;
    careteam) echo "add remove list" ;;
    document) echo "list" ;;
    session) echo "list revoke" ;;
    token) echo "create list revoke" ;;
    access) echo "emergency" ;;
    "access emergency") echo "list review" ;;
    patient) echo "create import list show" ;;
    audit) echo "verify checkpoint public-key prove consistency search report export" ;;
    "audit report") echo "access user emergency failed-logins" ;;
    integrity) echo "check" ;;
    keys) echo "generate rotate status" ;;
    practitioner) echo "set license list show" ;;
    "practitioner license") echo "add remove" ;;
    appointment) echo "list show cancel invite invitations uninvite" ;;
    schedule) echo "day" ;;
    reminder) echo "list retry" ;;
    calendar) echo "token" ;;
    "calendar token") echo "rotate revoke" ;;
  esac
}

# The options of a command path, besides the global ones.
_thctl_options() {
  case "$1" in
    "user create") echo "--username --role --email --kind --patient" ;;
    "role create") echo "--permission --description --idle-timeout --no-mfa" ;;
    "careteam add" | "careteam remove") echo "--patient --user" ;;
    "careteam list" | "document list") echo "--patient" ;;
    "session list" | "token list") echo "--user" ;;
    "token create") echo "--user --name --role --expires-in-days" ;;
    "access emergency list") echo "--pending" ;;
    "access emergency review") echo "--outcome --comment" ;;
    "patient create")
      echo "--mrn --given-name --family-name --birth-date --sex --state --phone --email --address"
      ;;
    "audit checkpoint") echo "--now" ;;
    "audit consistency") echo "--from --to" ;;
    "audit search")
      echo "--user --patient --action --resource --outcome --from --to --emergency --limit --all --after"
      ;;
    "audit report access") echo "--patient --from --to" ;;
    "audit report user") echo "--user --from --to" ;;
    "audit report failed-logins") echo "--from --to" ;;
    "reminder list") echo "--status --limit" ;;
    "calendar token rotate" | "calendar token revoke") echo "--practitioner" ;;
    "audit export")
      echo "--format --user --patient --action --resource --outcome --from --to --emergency --out"
      ;;
    "practitioner set") echo "--npi --license --time-zone --slot-minutes --display-name" ;;
    "practitioner license add" | "practitioner license remove") echo "--state" ;;
    "appointment list") echo "--practitioner --patient --date --status --tz" ;;
    "appointment show") echo "--tz" ;;
    "appointment cancel") echo "--reason" ;;
    "appointment invite") echo "--email --relationship --tz" ;;
    "appointment invitations") echo "--tz" ;;
    "schedule day") echo "--practitioner --date --tz" ;;
  esac
}

_thctl_global_options="--socket --url --token-file --ca-file --output -o --quiet -q --version --help -h"

# Options that take the next word as their value.
_thctl_takes_value() {
  case "$1" in
    --socket | --url | --token-file | --ca-file | --output | -o | --username | --role | --email | \
      --kind | --patient | --permission | --description | --idle-timeout | --user | --name | \
      --expires-in-days | --outcome | --comment | --mrn | --given-name | --family-name | \
      --birth-date | --sex | --state | --phone | --address | --from | --to | --action | \
      --resource | --limit | --after | --format | --out | --npi | --license | --time-zone | \
      --slot-minutes | --display-name | --practitioner | --date | --status | --tz | --reason | \
      --relationship)
      return 0
      ;;
  esac
  return 1
}

_thctl_roles="admin clinician nurse front_desk billing compliance_officer patient"
_thctl_permissions="patient.read patient.write patient.demographics note.read note.write note.sign
  message.read message.send appointment.read appointment.write schedule.manage audit.read
  audit.verify user.manage role.manage careteam.manage session.manage token.manage billing.read
  billing.export breach.manage baa.manage emergency.access emergency.review integrity.check
  keys.manage system.status system.manage"

_thctl() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local prev="${COMP_WORDS[COMP_CWORD - 1]}"
  local path="" positionals=0 word i child candidate

  # Walk the words before the cursor to find the noun and verb typed so far.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${COMP_WORDS[i]}"
    if [[ "$word" == -* ]]; then
      if [[ "$word" != *=* ]] && _thctl_takes_value "$word"; then
        ((i++))
      fi
      continue
    fi
    child=""
    for candidate in $(_thctl_children "$path"); do
      [[ "$candidate" == "$word" ]] && child="$word"
    done
    if [[ -n "$child" ]]; then
      path="${path:+$path }$child"
    else
      ((positionals++))
    fi
  done

  COMPREPLY=()
  if ((COMP_CWORD > 1)) && _thctl_takes_value "$prev"; then
    case "$prev" in
      --socket | --token-file | --ca-file) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
      --output | -o) mapfile -t COMPREPLY < <(compgen -W "table json csv" -- "$cur") ;;
      --kind) mapfile -t COMPREPLY < <(compgen -W "staff patient service" -- "$cur") ;;
      --role) mapfile -t COMPREPLY < <(compgen -W "$_thctl_roles" -- "$cur") ;;
      --permission) mapfile -t COMPREPLY < <(compgen -W "$_thctl_permissions" -- "$cur") ;;
      --sex) mapfile -t COMPREPLY < <(compgen -W "female male other unknown" -- "$cur") ;;
      --relationship)
        mapfile -t COMPREPLY < <(compgen -W "family_member caregiver interpreter" -- "$cur")
        ;;
      --outcome)
        if [[ "$path" == audit* ]]; then
          mapfile -t COMPREPLY < <(compgen -W "success denied error" -- "$cur")
        else
          mapfile -t COMPREPLY < <(compgen -W "justified unjustified" -- "$cur")
        fi
        ;;
      --format) mapfile -t COMPREPLY < <(compgen -W "csv ndjson fhir" -- "$cur") ;;
      --out) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
      --status)
        if [[ "$path" == reminder* ]]; then
          mapfile -t COMPREPLY < <(compgen -W "pending sending sent failed cancelled" -- "$cur")
        else
          mapfile -t COMPREPLY < <(compgen -W \
            "scheduled checked_in in_progress completed cancelled no_show" -- "$cur")
        fi
        ;;
    esac
    return 0
  fi

  if [[ "$cur" == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_thctl_options "$path") $_thctl_global_options" \
      -- "$cur")
    return 0
  fi

  local children
  children="$(_thctl_children "$path")"
  if [[ -n "$children" ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$children" -- "$cur")
  elif [[ "$path" == "user import" || "$path" == "patient import" || "$path" == "keys generate" ]]; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  elif [[ "$path" == "role show" ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$_thctl_roles" -- "$cur")
  elif [[ ("$path" == "role grant" || "$path" == "role revoke") && $positionals -eq 1 ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$_thctl_permissions" -- "$cur")
  fi
  return 0
}

complete -F _thctl thctl
