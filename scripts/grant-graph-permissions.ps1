<#
.SYNOPSIS
Grants the Writeback Watch managed identity the Microsoft Graph application permissions it needs, or
removes them again; with -ConsoleApp, also creates the console's app registration for sign-in.

.DESCRIPTION
Looks the permissions up by name on the Microsoft Graph service principal (appId
00000003-0000-0000-c000-000000000000) and assigns them to the managed identity's service principal.
Safe to run twice: existing assignments are skipped and reported. Uses Microsoft Graph PowerShell
(Install-Module Microsoft.Graph.Applications) and signs in with the scopes it needs.

Who runs it: someone who may grant application permissions in the tenant, i.e. a Privileged Role
Administrator (or Global Administrator). See docs/deploy.md.

Permissions:
  Group.Read.All                          always: list groups with writebackConfiguration
  Directory.Read.All                      always: the Group.Unified directory setting and the last sync time
  Synchronization.Read.All                -IncludeCloudSync: Entra Cloud Sync group provisioning jobs and schema
  Application.Read.All                    -IncludeCloudSync: Cloud Sync service principals and their assigned
                                          groups (without these two the scan records Cloud Sync as unknown and
                                          names the missing permission)
  AuditLog.Read.All                       -IncludeAuditLog: who made each change, from the Entra audit log
                                          (without it every change's attribution says "no permission")
  Mail.Send                               -IncludeMailSend: only when alert email (ALERT_EMAIL_FROM) is on

The tenant's group writeback feature flags (GET /directory/onPremisesSynchronization) cannot be read with any
application permission: Microsoft serves them to delegated callers (a Global Administrator) only. The scan
records them as unavailable, and WRITEBACK_ENGINES states which Connect Sync version runs. An
OnPremDirectorySynchronization.Read.All grant left by an earlier version of this script is removed by -Remove.

.PARAMETER PrincipalId
Object (principal) id of the managed identity's service principal (azd output MANAGED_IDENTITY_PRINCIPAL_ID).

.PARAMETER IdentityName
Display name of the managed identity (its service principal has the same name).

.PARAMETER IncludeCloudSync
Also grant Synchronization.Read.All and Application.Read.All (read Entra Cloud Sync).

.PARAMETER IncludeOnPremSync
No longer supported: fails with the reason (the feature flags are delegated-only).

.PARAMETER IncludeAuditLog
Also grant AuditLog.Read.All.

.PARAMETER IncludeMailSend
Also grant Mail.Send.

.PARAMETER Remove
Remove every permission this script manages, whatever the switches say (OnPremDirectorySynchronization.Read.All too).

.PARAMETER TenantId
Tenant to sign in to (default: the account's home tenant).

.PARAMETER ConsoleApp
Also create or update the console's app registration: app roles Reader and Approver (assignment
required), Easy Auth's redirect URI, and a federated credential that trusts the sign-in identity (no
client secret). Prints the ENTRA_CLIENT_ID to give azd. Needs Application.ReadWrite.All as well.

.PARAMETER AuthIdentityPrincipalId
The sign-in identity the federated credential trusts (azd output AUTH_IDENTITY_PRINCIPAL_ID).

.PARAMETER AppUrl
The function app's https:// address (azd output SERVICE_API_URI).

.PARAMETER ConsoleAppName
Display name of the app registration (default "Writeback Watch console").

.PARAMETER AssignApprover
Object id of a user (or an application's service principal) to give the Approver role.

.PARAMETER LoginBaseUrl
Microsoft Entra sign-in root for the federated credential's issuer (default https://login.microsoftonline.com).

.EXAMPLE
./scripts/grant-graph-permissions.ps1 -PrincipalId (azd env get-value MANAGED_IDENTITY_PRINCIPAL_ID)

.EXAMPLE
./scripts/grant-graph-permissions.ps1 -IdentityName id-api-abc123 -IncludeCloudSync -IncludeAuditLog -IncludeMailSend

.EXAMPLE
./scripts/grant-graph-permissions.ps1 -PrincipalId 7d3c… -Remove

.EXAMPLE
./scripts/grant-graph-permissions.ps1 -PrincipalId (azd env get-value MANAGED_IDENTITY_PRINCIPAL_ID) -ConsoleApp `
    -AuthIdentityPrincipalId (azd env get-value AUTH_IDENTITY_PRINCIPAL_ID) -AppUrl (azd env get-value SERVICE_API_URI) `
    -AssignApprover (az ad signed-in-user show --query id --output tsv)
#>
[CmdletBinding(DefaultParameterSetName = 'ById')]
param(
    [Parameter(Mandatory, ParameterSetName = 'ById')]
    [ValidatePattern('^[0-9a-fA-F-]{36}$')]
    [string] $PrincipalId,

    [Parameter(Mandatory, ParameterSetName = 'ByName')]
    [string] $IdentityName,

    [switch] $IncludeCloudSync,
    [switch] $IncludeOnPremSync,
    [switch] $IncludeAuditLog,
    [switch] $IncludeMailSend,
    [switch] $Remove,
    [string] $TenantId,

    [switch] $ConsoleApp,
    [ValidatePattern('^[0-9a-fA-F-]{36}$')]
    [string] $AuthIdentityPrincipalId,
    [ValidatePattern('^https://[^/]+')]
    [string] $AppUrl,
    [string] $ConsoleAppName = 'Writeback Watch console',
    [string] $AssignApprover,
    [string] $LoginBaseUrl = 'https://login.microsoftonline.com'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$MicrosoftGraphAppId = '00000003-0000-0000-c000-000000000000'
$RequiredRoles = @('Group.Read.All', 'Directory.Read.All')
# Optional, for Cloud Sync: jobs and schema, service principals and their app role assignments.
$CloudSyncRoles = @('Synchronization.Read.All', 'Application.Read.All')
# Granted by earlier versions; no application can use it for the feature flags. Removed by -Remove, never granted.
$OnPremSyncRole = 'OnPremDirectorySynchronization.Read.All'
$AuditLogRole = 'AuditLog.Read.All'
$MailSendRole = 'Mail.Send'
$ManagedRoles = $RequiredRoles + $CloudSyncRoles + @($AuditLogRole, $MailSendRole, $OnPremSyncRole)

if ($IncludeOnPremSync) {
    throw '-IncludeOnPremSync is gone: GET /directory/onPremisesSynchronization does not accept application permissions (Microsoft: delegated only, Global Administrator), so OnPremDirectorySynchronization.Read.All reads nothing for the scan. Leave it out; -Remove takes away an earlier grant.'
}

Import-Module Microsoft.Graph.Applications -ErrorAction Stop

if ($ConsoleApp -and -not $Remove -and (-not $AuthIdentityPrincipalId -or -not $AppUrl)) {
    throw '-ConsoleApp needs -AuthIdentityPrincipalId and -AppUrl (azd outputs AUTH_IDENTITY_PRINCIPAL_ID and SERVICE_API_URI).'
}

# AppRoleAssignment.ReadWrite.All to assign, Application.Read.All to read the service principals;
# Application.ReadWrite.All to create the console's app registration.
$scopes = @('AppRoleAssignment.ReadWrite.All', 'Application.Read.All')
if ($ConsoleApp) { $scopes += 'Application.ReadWrite.All' }
$connect = @{ Scopes = $scopes; NoWelcome = $true }
if ($TenantId) { $connect.TenantId = $TenantId }
Connect-MgGraph @connect

# --- the identity's service principal ---------------------------------------------------------------
if ($PSCmdlet.ParameterSetName -eq 'ById') {
    $principal = Get-MgServicePrincipal -ServicePrincipalId $PrincipalId -Property 'id,displayName,servicePrincipalType'
}
else {
    $escaped = $IdentityName.Replace("'", "''")
    $found = @(Get-MgServicePrincipal -Filter "displayName eq '$escaped'" -All -Property 'id,displayName,servicePrincipalType')
    if ($found.Count -eq 0) { throw "No service principal named '$IdentityName'." }
    if ($found.Count -gt 1) { throw "Several service principals are named '$IdentityName': pass -PrincipalId." }
    $principal = $found[0]
}
Write-Host "Managed identity: $($principal.DisplayName) ($($principal.Id), $($principal.ServicePrincipalType))"

# --- Microsoft Graph's app roles, looked up by name -------------------------------------------------
$graph = Get-MgServicePrincipal -Filter "appId eq '$MicrosoftGraphAppId'" -Property 'id,appRoles'
if (-not $graph) { throw 'The Microsoft Graph service principal was not found in this tenant.' }

$roleIds = @{}
foreach ($name in $ManagedRoles) {
    $role = $graph.AppRoles | Where-Object { $_.Value -eq $name -and $_.AllowedMemberTypes -contains 'Application' }
    if (-not $role) { throw "Microsoft Graph has no application permission named $name." }
    $roleIds[$name] = $role.Id
}

$assignments = @(Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $principal.Id -All |
        Where-Object { $_.ResourceId -eq $graph.Id })

function Get-Assignment([string] $name) {
    $assignments | Where-Object { $_.AppRoleId -eq $roleIds[$name] } | Select-Object -First 1
}

if ($Remove) {
    foreach ($name in $ManagedRoles) {
        $existing = Get-Assignment $name
        if ($existing) {
            Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $principal.Id -AppRoleAssignmentId $existing.Id
            Write-Host ('removed          {0}' -f $name)
        }
        else {
            Write-Host ('not granted      {0}' -f $name)
        }
    }
    return
}

$wanted = [System.Collections.Generic.List[string]]::new()
$wanted.AddRange([string[]] $RequiredRoles)
if ($IncludeCloudSync) { $wanted.AddRange([string[]] $CloudSyncRoles) }
if ($IncludeAuditLog) { $wanted.Add($AuditLogRole) }
if ($IncludeMailSend) { $wanted.Add($MailSendRole) }

foreach ($name in $wanted) {
    if (Get-Assignment $name) {
        Write-Host ('already granted  {0}' -f $name)
        continue
    }
    $body = @{ principalId = $principal.Id; resourceId = $graph.Id; appRoleId = $roleIds[$name] }
    New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $principal.Id -BodyParameter $body | Out-Null
    Write-Host ('granted          {0}' -f $name)
}

# Optional permissions granted earlier but not asked for now stay; say so, least privilege is a choice.
foreach ($name in $CloudSyncRoles + @($AuditLogRole, $MailSendRole)) {
    if (-not $wanted.Contains($name) -and (Get-Assignment $name)) {
        Write-Host ('left in place    {0} (granted earlier, not asked for now; -Remove takes away everything)' -f $name)
    }
}
if (Get-Assignment $OnPremSyncRole) {
    Write-Host ('left in place    {0} (granted earlier; it reads nothing app-only: the feature flags are delegated-only; -Remove takes it away)' -f $OnPremSyncRole)
}

if (-not $ConsoleApp) { return }

# --- the console's app registration (sign-in with App Service Authentication) -----------------------
# Easy Auth signs people in against this registration; the app checks the roles it puts in the token.
# Both roles may be held by applications too: a change-management system approving with an app token
# is recorded as that application.
$appHost = ([uri] $AppUrl).Host
$redirectUri = "https://$appHost/.auth/login/aad/callback"
$tenant = (Get-MgContext).TenantId
if (-not $tenant) { throw 'Could not read the tenant id of the signed-in session.' }
$issuer = "$($LoginBaseUrl.TrimEnd('/'))/$tenant/v2.0"

$escapedName = $ConsoleAppName.Replace("'", "''")
$apps = @(Get-MgApplication -Filter "displayName eq '$escapedName'" -All -Property 'id,appId,appRoles,web,identifierUris')
if ($apps.Count -gt 1) { throw "Several app registrations are named '$ConsoleAppName': pass -ConsoleAppName with a unique name." }
$existing = if ($apps.Count -eq 1) { $apps[0] } else { $null }

# Reader and Approver keep their ids once created (tokens and assignments refer to the id); any other
# role on the registration is left as it is.
$descriptions = @{
    Reader   = 'See scans, diffs, alerts and approvals, and download the reports.'
    Approver = 'Everything a Reader may, plus approve expected changes, revoke approvals and acknowledge alerts.'
}
$roles = [System.Collections.Generic.List[hashtable]]::new()
$roleIdsByValue = @{}
if ($existing) {
    foreach ($role in @($existing.AppRoles)) {
        if ($role.Value -in @('Reader', 'Approver')) { $roleIdsByValue[$role.Value] = $role.Id; continue }
        $roles.Add(@{ id = $role.Id; value = $role.Value; displayName = $role.DisplayName; description = $role.Description; allowedMemberTypes = @($role.AllowedMemberTypes); isEnabled = $role.IsEnabled })
    }
}
foreach ($value in @('Reader', 'Approver')) {
    if (-not $roleIdsByValue[$value]) { $roleIdsByValue[$value] = [guid]::NewGuid().ToString() }
    $roles.Add(@{ id = $roleIdsByValue[$value]; value = $value; displayName = $value; description = $descriptions[$value]; allowedMemberTypes = @('User', 'Application'); isEnabled = $true })
}
$redirects = @(@($existing ? $existing.Web.RedirectUris : @()) + $redirectUri | Where-Object { $_ } | Sort-Object -Unique)
$body = @{
    displayName    = $ConsoleAppName
    signInAudience = 'AzureADMyOrg'
    api            = @{ requestedAccessTokenVersion = 2 }
    web            = @{ redirectUris = $redirects; implicitGrantSettings = @{ enableIdTokenIssuance = $true; enableAccessTokenIssuance = $false } }
    appRoles       = $roles.ToArray()
}
if ($existing) {
    Update-MgApplication -ApplicationId $existing.Id -BodyParameter $body | Out-Null
    $app = $existing
    Write-Host ("updated          app registration '{0}'" -f $ConsoleAppName)
}
else {
    $app = New-MgApplication -BodyParameter $body
    Write-Host ("created          app registration '{0}'" -f $ConsoleAppName)
}

# api://<appId>: the second audience Easy Auth accepts (infra/app/auth.bicep).
if (@($app.IdentifierUris) -notcontains "api://$($app.AppId)") {
    Update-MgApplication -ApplicationId $app.Id -BodyParameter @{ identifierUris = @("api://$($app.AppId)") } | Out-Null
}

# The federated credential: Easy Auth proves itself with the sign-in identity's token, not a secret.
$ficName = 'writeback-watch-easy-auth'
$ficBody = @{
    name        = $ficName
    issuer      = $issuer
    subject     = $AuthIdentityPrincipalId
    audiences   = @('api://AzureADTokenExchange')
    description = 'App Service Authentication of the Writeback Watch function app'
}
$fic = @(Get-MgApplicationFederatedIdentityCredential -ApplicationId $app.Id -All) | Where-Object { $_.Name -eq $ficName } | Select-Object -First 1
if (-not $fic) {
    New-MgApplicationFederatedIdentityCredential -ApplicationId $app.Id -BodyParameter $ficBody | Out-Null
    Write-Host ('created          federated credential for the sign-in identity {0}' -f $AuthIdentityPrincipalId)
}
elseif ($fic.Subject -eq $AuthIdentityPrincipalId -and $fic.Issuer -eq $issuer) {
    Write-Host ('already trusted  sign-in identity {0}' -f $AuthIdentityPrincipalId)
}
else {
    $ficBody.Remove('name')
    Update-MgApplicationFederatedIdentityCredential -ApplicationId $app.Id -FederatedIdentityCredentialId $fic.Id -BodyParameter $ficBody | Out-Null
    Write-Host ('updated          federated credential to the sign-in identity {0}' -f $AuthIdentityPrincipalId)
}

# Its service principal, with assignment required: only people and apps given a role can sign in.
$sp = @(Get-MgServicePrincipal -Filter "appId eq '$($app.AppId)'" -All -Property 'id,appRoleAssignmentRequired') | Select-Object -First 1
if (-not $sp) {
    $sp = New-MgServicePrincipal -BodyParameter @{ appId = $app.AppId; appRoleAssignmentRequired = $true }
    Write-Host 'created          service principal, assignment required'
}
else {
    Update-MgServicePrincipal -ServicePrincipalId $sp.Id -BodyParameter @{ appRoleAssignmentRequired = $true } | Out-Null
    Write-Host 'already present  service principal, assignment required'
}

if ($AssignApprover) {
    $approverRoleId = $roleIdsByValue['Approver']
    $assigned = @(Get-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $sp.Id -All) |
        Where-Object { $_.PrincipalId -eq $AssignApprover -and $_.AppRoleId -eq $approverRoleId }
    if ($assigned) {
        Write-Host ('already assigned Approver to {0}' -f $AssignApprover)
    }
    else {
        New-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $sp.Id -BodyParameter @{ principalId = $AssignApprover; resourceId = $sp.Id; appRoleId = $approverRoleId } | Out-Null
        Write-Host ('assigned         Approver to {0}' -f $AssignApprover)
    }
}

Write-Host ('Console app registration: {0} (appId {1})' -f $ConsoleAppName, $app.AppId)
Write-Host ('Next: azd env set ENTRA_CLIENT_ID {0}; azd provision   (turns on sign-in; docs/deploy.md)' -f $app.AppId)
