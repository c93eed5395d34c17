#!/usr/bin/env bash
# Grants the Writeback Watch managed identity the Microsoft Graph application permissions it needs, or
# removes them again; with --console-app, also creates the console's app registration for sign-in.
# Safe to run twice: existing assignments are skipped and reported, the app registration is updated.
#
# Who runs it: someone who may grant application permissions in the tenant, i.e. a Privileged Role
# Administrator (or Global Administrator), signed in with `az login`. See docs/deploy.md.
#
#   scripts/grant-graph-permissions.sh [--principal-id ID | --identity-name NAME]
#                                      [--with-cloud-sync] [--with-audit-log] [--with-mail-send] [--remove]
#                                      [--console-app [--auth-identity-principal-id ID] [--app-url URL]
#                                                     [--console-app-name NAME] [--assign-approver ID]]
#
#   --principal-id ID     Object (principal) id of the managed identity's service principal. Without it
#                         and without --identity-name, the azd environment's MANAGED_IDENTITY_PRINCIPAL_ID.
#   --identity-name NAME  Display name of the managed identity (its service principal has the same name).
#   --with-cloud-sync     Also grant Synchronization.Read.All and Application.Read.All (read Entra Cloud Sync's
#                         group provisioning jobs, their scope and assigned groups; without them the scan
#                         records Cloud Sync as unknown and names the missing permission).
#   --with-audit-log      Also grant AuditLog.Read.All (who made each change, from the Entra audit log;
#                         without it every change's attribution says "no permission").
#   --with-mail-send      Also grant Mail.Send (only when ALERT_EMAIL_FROM is set: alert email).
#   --remove              Remove every permission this script manages, whatever the switches, including
#                         OnPremDirectorySynchronization.Read.All if an earlier version granted it.
#   --console-app         Also create or update the console's app registration: app roles Reader and
#                         Approver (assignment required), Easy Auth's redirect URI, and a federated
#                         credential that trusts the sign-in identity (no client secret). Prints the
#                         ENTRA_CLIENT_ID to give azd.
#   --auth-identity-principal-id ID  The sign-in identity; default the azd environment's
#                         AUTH_IDENTITY_PRINCIPAL_ID.
#   --app-url URL         The function app's URL; default the azd environment's SERVICE_API_URI.
#   --console-app-name NAME  Display name of the app registration (default "Writeback Watch console").
#   --assign-approver ID  Object id of a user (or an application's service principal) to give the
#                         Approver role, e.g. yourself: az ad signed-in-user show --query id -o tsv.
#
# The tenant's group writeback feature flags (GET /directory/onPremisesSynchronization) cannot be read with
# any application permission: Microsoft serves them to delegated callers (a Global Administrator) only. The
# scan records them as unavailable, and WRITEBACK_ENGINES states which Connect Sync version runs.
#
# Needs bash, curl and jq (all in Azure Cloud Shell). The Graph token comes from `az account
# get-access-token`, or from GRAPH_TOKEN when set. GRAPH_BASE_URL (default https://graph.microsoft.com)
# selects a national cloud's Graph, LOGIN_BASE_URL (default https://login.microsoftonline.com) its sign-in.
set -euo pipefail

# Microsoft Graph's own service principal has this well-known appId in every tenant.
readonly MICROSOFT_GRAPH_APP_ID='00000003-0000-0000-c000-000000000000'
# Group.Read.All: list groups with writebackConfiguration. Directory.Read.All: the Group.Unified
# directory setting (NewUnifiedGroupWritebackDefault) and the organization's last sync time.
readonly REQUIRED_ROLES=('Group.Read.All' 'Directory.Read.All')
# Optional, for Cloud Sync: jobs and schema (Synchronization.Read.All), service principals and their app
# role assignments (Application.Read.All).
readonly CLOUD_SYNC_ROLES=('Synchronization.Read.All' 'Application.Read.All')
# Granted by earlier versions of this script; no application can use it for the feature flags. Removed by
# --remove, never granted.
readonly ONPREM_SYNC_ROLE='OnPremDirectorySynchronization.Read.All'
readonly AUDIT_LOG_ROLE='AuditLog.Read.All'
readonly MAIL_SEND_ROLE='Mail.Send'

graph_base="${GRAPH_BASE_URL:-https://graph.microsoft.com}"
graph_base="${graph_base%/}/v1.0"
principal_id=''
identity_name=''
with_cloud_sync=false
with_audit_log=false
with_mail_send=false
remove=false
console_app=false
auth_principal_id=''
app_url=''
console_app_name='Writeback Watch console'
assign_approver=''

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

die() {
  echo "error: $*" >&2
  exit 1
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --principal-id) principal_id="${2:?--principal-id needs a value}"; shift 2 ;;
    --identity-name) identity_name="${2:?--identity-name needs a value}"; shift 2 ;;
    --with-cloud-sync) with_cloud_sync=true; shift ;;
    --with-onprem-sync)
      die '--with-onprem-sync is gone: GET /directory/onPremisesSynchronization does not accept application permissions (Microsoft: delegated only, Global Administrator), so OnPremDirectorySynchronization.Read.All reads nothing for the scan. Leave it out; --remove takes away an earlier grant.' ;;
    --with-audit-log) with_audit_log=true; shift ;;
    --with-mail-send) with_mail_send=true; shift ;;
    --remove) remove=true; shift ;;
    --console-app) console_app=true; shift ;;
    --auth-identity-principal-id) auth_principal_id="${2:?--auth-identity-principal-id needs a value}"; shift 2 ;;
    --app-url) app_url="${2:?--app-url needs a value}"; shift 2 ;;
    --console-app-name) console_app_name="${2:?--console-app-name needs a value}"; shift 2 ;;
    --assign-approver) assign_approver="${2:?--assign-approver needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

command -v curl >/dev/null || die 'curl is required'
command -v jq >/dev/null || die 'jq is required'

if [[ -z "$principal_id" && -z "$identity_name" ]]; then
  if command -v azd >/dev/null && principal_id="$(azd env get-value MANAGED_IDENTITY_PRINCIPAL_ID 2>/dev/null)"; then
    echo "Using MANAGED_IDENTITY_PRINCIPAL_ID from the azd environment: $principal_id"
  else
    die 'give --principal-id or --identity-name (or run from the azd project after `azd up`)'
  fi
fi

token="${GRAPH_TOKEN:-}"
if [[ -z "$token" ]]; then
  command -v az >/dev/null || die 'sign in with the Azure CLI (az login) or set GRAPH_TOKEN'
  token="$(az account get-access-token --resource-type ms-graph --query accessToken --output tsv)" ||
    die 'could not get a Microsoft Graph token: run az login'
fi

# graph METHOD URL [JSON BODY]: prints the response body; fails with Graph's error message otherwise.
graph() {
  local method="$1" url="$2" body="${3:-}" response status
  local args=(--silent --show-error --request "$method" --header "Authorization: Bearer $token"
    --write-out '\n%{http_code}')
  if [[ -n "$body" ]]; then args+=(--header 'Content-Type: application/json' --data "$body"); fi
  [[ "$url" == http* ]] || url="$graph_base$url"
  response="$(curl "${args[@]}" "$url")" || die "$method $url failed"
  status="${response##*$'\n'}"
  response="${response%$'\n'*}"
  if [[ "$status" != 2* ]]; then
    die "$method $url answered $status: $(jq -r '.error.message? // .' <<<"$response" 2>/dev/null || echo "$response")"
  fi
  printf '%s' "$response"
}

# Every item of a collection, following @odata.nextLink, as one JSON array.
graph_list() {
  local url="$1" page items='[]'
  while [[ -n "$url" ]]; do
    page="$(graph GET "$url")"
    items="$(jq -c --argjson acc "$items" '$acc + .value' <<<"$page")"
    url="$(jq -r '."@odata.nextLink" // empty' <<<"$page")"
  done
  printf '%s' "$items"
}

urlencode() {
  jq -rn --arg v "$1" '$v | @uri'
}

# --- the identity's service principal -------------------------------------------------------------
if [[ -n "$principal_id" ]]; then
  principal="$(graph GET "/servicePrincipals/$(urlencode "$principal_id")?\$select=id,displayName,servicePrincipalType")"
else
  filter="displayName eq '${identity_name//\'/\'\'}'"
  matches="$(graph_list "/servicePrincipals?\$filter=$(urlencode "$filter")&\$select=id,displayName,servicePrincipalType")"
  case "$(jq length <<<"$matches")" in
    0) die "no service principal named '$identity_name'" ;;
    1) principal="$(jq -c '.[0]' <<<"$matches")" ;;
    *) die "several service principals are named '$identity_name': pass --principal-id" ;;
  esac
fi
principal_id="$(jq -r .id <<<"$principal")"
echo "Managed identity: $(jq -r .displayName <<<"$principal") ($principal_id, $(jq -r '.servicePrincipalType // "unknown type"' <<<"$principal"))"

# --- Microsoft Graph's app roles, looked up by name -------------------------------------------------
graph_sp="$(graph_list "/servicePrincipals?\$filter=$(urlencode "appId eq '$MICROSOFT_GRAPH_APP_ID'")&\$select=id,appRoles")"
[[ "$(jq length <<<"$graph_sp")" == 1 ]] || die 'Microsoft Graph service principal not found in this tenant'
graph_sp_id="$(jq -r '.[0].id' <<<"$graph_sp")"

app_role_id() {
  jq -r --arg name "$1" '.[0].appRoles[] | select(.value == $name and (.allowedMemberTypes | index("Application"))) | .id' <<<"$graph_sp"
}

# Resolve every permission this script manages up front, so a missing name stops it before any change.
readonly MANAGED_ROLES=("${REQUIRED_ROLES[@]}" "${CLOUD_SYNC_ROLES[@]}" "$AUDIT_LOG_ROLE" "$MAIL_SEND_ROLE" "$ONPREM_SYNC_ROLE")
role_ids=()
for name in "${MANAGED_ROLES[@]}"; do
  id="$(app_role_id "$name")"
  [[ -n "$id" ]] || die "Microsoft Graph has no application permission named $name"
  role_ids+=("$id")
done

role_id_of() {
  local i
  for i in "${!MANAGED_ROLES[@]}"; do
    if [[ "${MANAGED_ROLES[$i]}" == "$1" ]]; then
      printf '%s' "${role_ids[$i]}"
      return
    fi
  done
}

assignments="$(graph_list "/servicePrincipals/$principal_id/appRoleAssignments")"

# Id of the identity's assignment of the named Graph permission, or nothing.
assignment_of() {
  jq -r --arg role "$(role_id_of "$1")" --arg resource "$graph_sp_id" \
    '[.[] | select(.appRoleId == $role and .resourceId == $resource)][0].id // empty' <<<"$assignments"
}

if [[ "$remove" == true ]]; then
  for name in "${MANAGED_ROLES[@]}"; do
    existing="$(assignment_of "$name")"
    if [[ -n "$existing" ]]; then
      graph DELETE "/servicePrincipals/$principal_id/appRoleAssignments/$existing" >/dev/null
      echo "removed          $name"
    else
      echo "not granted      $name"
    fi
  done
  exit 0
fi

wanted=("${REQUIRED_ROLES[@]}")
[[ "$with_cloud_sync" == true ]] && wanted+=("${CLOUD_SYNC_ROLES[@]}")
[[ "$with_audit_log" == true ]] && wanted+=("$AUDIT_LOG_ROLE")
[[ "$with_mail_send" == true ]] && wanted+=("$MAIL_SEND_ROLE")

for name in "${wanted[@]}"; do
  if [[ -n "$(assignment_of "$name")" ]]; then
    echo "already granted  $name"
    continue
  fi
  body="$(jq -cn --arg p "$principal_id" --arg r "$graph_sp_id" --arg a "$(role_id_of "$name")" '{principalId: $p, resourceId: $r, appRoleId: $a}')"
  graph POST "/servicePrincipals/$principal_id/appRoleAssignments" "$body" >/dev/null
  echo "granted          $name"
done

# Optional permissions granted earlier but not asked for now stay; say so, least privilege is a choice.
for name in "${CLOUD_SYNC_ROLES[@]}" "$AUDIT_LOG_ROLE" "$MAIL_SEND_ROLE"; do
  if [[ " ${wanted[*]} " != *" $name "* && -n "$(assignment_of "$name")" ]]; then
    echo "left in place    $name (granted earlier, not asked for now; --remove takes away everything)"
  fi
done
if [[ -n "$(assignment_of "$ONPREM_SYNC_ROLE")" ]]; then
  echo "left in place    $ONPREM_SYNC_ROLE (granted earlier; it reads nothing app-only: the feature flags are delegated-only; --remove takes it away)"
fi

[[ "$console_app" == true ]] || exit 0

# --- the console's app registration (sign-in with App Service Authentication) ---------------------
# Easy Auth signs people in against this registration; the app checks the roles it puts in the token.
# Both roles may be held by applications too: a change-management system approving with an app token
# is recorded as that application.
login_base="${LOGIN_BASE_URL:-https://login.microsoftonline.com}"
login_base="${login_base%/}"

azd_value() {
  command -v azd >/dev/null && azd env get-value "$1" 2>/dev/null
}

if [[ -z "$auth_principal_id" ]]; then
  auth_principal_id="$(azd_value AUTH_IDENTITY_PRINCIPAL_ID)" ||
    die 'give --auth-identity-principal-id (the azd output AUTH_IDENTITY_PRINCIPAL_ID) for --console-app'
fi
if [[ -z "$app_url" ]]; then
  app_url="$(azd_value SERVICE_API_URI)" || die 'give --app-url (the azd output SERVICE_API_URI) for --console-app'
fi
app_host="${app_url#https://}"
app_host="${app_host%%/*}"
[[ "$app_url" == https://* && -n "$app_host" ]] || die "--app-url $app_url: give the function app's https:// address"
redirect_uri="https://$app_host/.auth/login/aad/callback"

new_uuid() {
  if command -v uuidgen >/dev/null; then uuidgen | tr 'A-Z' 'a-z'; else cat /proc/sys/kernel/random/uuid; fi
}

tenant_id="$(graph GET '/organization?$select=id' | jq -r '.value[0].id // empty')"
[[ -n "$tenant_id" ]] || die 'could not read the tenant id (GET /organization)'

filter="displayName eq '${console_app_name//\'/\'\'}'"
apps="$(graph_list "/applications?\$filter=$(urlencode "$filter")&\$select=id,appId,appRoles,web,identifierUris")"
case "$(jq length <<<"$apps")" in
  0) existing_app='{"appRoles":[],"web":{"redirectUris":[]},"identifierUris":[]}' ;;
  1) existing_app="$(jq -c '.[0]' <<<"$apps")" ;;
  *) die "several app registrations are named '$console_app_name': pass --console-app-name with a unique name" ;;
esac

# Reader and Approver keep their ids once created (tokens and assignments refer to the id); any other
# role on the registration is left as it is.
roles="$(jq -c '.appRoles // []' <<<"$existing_app")"
for role in Reader Approver; do
  id="$(jq -r --arg v "$role" '[.[] | select(.value == $v)][0].id // empty' <<<"$roles")"
  [[ -n "$id" ]] || id="$(new_uuid)"
  case "$role" in
    Reader) description='See scans, diffs, alerts and approvals, and download the reports.' ;;
    Approver) description='Everything a Reader may, plus approve expected changes, revoke approvals and acknowledge alerts.' ;;
  esac
  roles="$(jq -c --arg id "$id" --arg v "$role" --arg d "$description" \
    '[.[] | select(.value != $v)] + [{id: $id, value: $v, displayName: $v, description: $d, allowedMemberTypes: ["User", "Application"], isEnabled: true}]' <<<"$roles")"
done
redirects="$(jq -c --arg r "$redirect_uri" '(.web.redirectUris // []) + [$r] | unique' <<<"$existing_app")"
app_body="$(jq -cn --arg name "$console_app_name" --argjson roles "$roles" --argjson redirects "$redirects" '{
  displayName: $name,
  signInAudience: "AzureADMyOrg",
  api: {requestedAccessTokenVersion: 2},
  web: {redirectUris: $redirects, implicitGrantSettings: {enableIdTokenIssuance: true, enableAccessTokenIssuance: false}},
  appRoles: $roles
}')"

if [[ "$(jq -r '.id // empty' <<<"$existing_app")" == '' ]]; then
  app="$(graph POST /applications "$app_body")"
  echo "created          app registration '$console_app_name'"
else
  app="$existing_app"
  graph PATCH "/applications/$(jq -r .id <<<"$app")" "$app_body" >/dev/null
  echo "updated          app registration '$console_app_name'"
fi
app_object_id="$(jq -r .id <<<"$app")"
app_id="$(jq -r .appId <<<"$app")"

# api://<appId>: the second audience Easy Auth accepts (infra/app/auth.bicep).
if [[ "$(jq -r --arg u "api://$app_id" '(.identifierUris // []) | index($u) // empty' <<<"$app")" == '' ]]; then
  graph PATCH "/applications/$app_object_id" "$(jq -cn --arg u "api://$app_id" '{identifierUris: [$u]}')" >/dev/null
fi

# The federated credential: Easy Auth proves itself with the sign-in identity's token, not a secret.
readonly FIC_NAME='writeback-watch-easy-auth'
fic_body="$(jq -cn --arg name "$FIC_NAME" --arg issuer "$login_base/$tenant_id/v2.0" --arg subject "$auth_principal_id" \
  '{name: $name, issuer: $issuer, subject: $subject, audiences: ["api://AzureADTokenExchange"], description: "App Service Authentication of the Writeback Watch function app"}')"
fics="$(graph_list "/applications/$app_object_id/federatedIdentityCredentials")"
fic="$(jq -c --arg name "$FIC_NAME" '[.[] | select(.name == $name)][0] // empty' <<<"$fics")"
if [[ -z "$fic" ]]; then
  graph POST "/applications/$app_object_id/federatedIdentityCredentials" "$fic_body" >/dev/null
  echo "created          federated credential for the sign-in identity $auth_principal_id"
elif [[ "$(jq -r .subject <<<"$fic")" == "$auth_principal_id" && "$(jq -r .issuer <<<"$fic")" == "$login_base/$tenant_id/v2.0" ]]; then
  echo "already trusted  sign-in identity $auth_principal_id"
else
  graph PATCH "/applications/$app_object_id/federatedIdentityCredentials/$(jq -r .id <<<"$fic")" "$(jq -c 'del(.name)' <<<"$fic_body")" >/dev/null
  echo "updated          federated credential to the sign-in identity $auth_principal_id"
fi

# Its service principal, with assignment required: only people and apps given a role can sign in.
sps="$(graph_list "/servicePrincipals?\$filter=$(urlencode "appId eq '$app_id'")&\$select=id,appRoleAssignmentRequired")"
if [[ "$(jq length <<<"$sps")" == 0 ]]; then
  sp="$(graph POST /servicePrincipals "$(jq -cn --arg a "$app_id" '{appId: $a, appRoleAssignmentRequired: true}')")"
  echo "created          service principal, assignment required"
else
  sp="$(jq -c '.[0]' <<<"$sps")"
  graph PATCH "/servicePrincipals/$(jq -r .id <<<"$sp")" '{"appRoleAssignmentRequired":true}' >/dev/null
  echo "already present  service principal, assignment required"
fi
sp_id="$(jq -r .id <<<"$sp")"

if [[ -n "$assign_approver" ]]; then
  approver_role_id="$(jq -r '[.[] | select(.value == "Approver")][0].id' <<<"$roles")"
  assigned="$(graph_list "/servicePrincipals/$sp_id/appRoleAssignedTo")"
  if [[ -n "$(jq -r --arg p "$assign_approver" --arg r "$approver_role_id" '[.[] | select(.principalId == $p and .appRoleId == $r)][0].id // empty' <<<"$assigned")" ]]; then
    echo "already assigned Approver to $assign_approver"
  else
    graph POST "/servicePrincipals/$sp_id/appRoleAssignedTo" \
      "$(jq -cn --arg p "$assign_approver" --arg r "$sp_id" --arg a "$approver_role_id" '{principalId: $p, resourceId: $r, appRoleId: $a}')" >/dev/null
    echo "assigned         Approver to $assign_approver"
  fi
fi

echo "Console app registration: $console_app_name (appId $app_id)"
echo "Next: azd env set ENTRA_CLIENT_ID $app_id && azd provision   (turns on sign-in; docs/deploy.md)"
