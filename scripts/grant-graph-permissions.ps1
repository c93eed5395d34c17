<#
.SYNOPSIS
Grants the Writeback Watch managed identity the Microsoft Graph application permissions it needs, or
removes them again.

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

.PARAMETER IncludeMailSend
Also grant Mail.Send.

.PARAMETER Remove
Remove every permission this script manages, whatever the switches say (OnPremDirectorySynchronization.Read.All too).

.PARAMETER TenantId
Tenant to sign in to (default: the account's home tenant).

.EXAMPLE
./scripts/grant-graph-permissions.ps1 -PrincipalId (azd env get-value MANAGED_IDENTITY_PRINCIPAL_ID)

.EXAMPLE
./scripts/grant-graph-permissions.ps1 -IdentityName id-api-abc123 -IncludeCloudSync -IncludeMailSend

.EXAMPLE
./scripts/grant-graph-permissions.ps1 -PrincipalId 7d3c… -Remove
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
    [switch] $IncludeMailSend,
    [switch] $Remove,
    [string] $TenantId
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$MicrosoftGraphAppId = '00000003-0000-0000-c000-000000000000'
$RequiredRoles = @('Group.Read.All', 'Directory.Read.All')
# Optional, for Cloud Sync: jobs and schema, service principals and their app role assignments.
$CloudSyncRoles = @('Synchronization.Read.All', 'Application.Read.All')
# Granted by earlier versions; no application can use it for the feature flags. Removed by -Remove, never granted.
$OnPremSyncRole = 'OnPremDirectorySynchronization.Read.All'
$MailSendRole = 'Mail.Send'
$ManagedRoles = $RequiredRoles + $CloudSyncRoles + @($MailSendRole, $OnPremSyncRole)

if ($IncludeOnPremSync) {
    throw '-IncludeOnPremSync is gone: GET /directory/onPremisesSynchronization does not accept application permissions (Microsoft: delegated only, Global Administrator), so OnPremDirectorySynchronization.Read.All reads nothing for the scan. Leave it out; -Remove takes away an earlier grant.'
}

Import-Module Microsoft.Graph.Applications -ErrorAction Stop

# AppRoleAssignment.ReadWrite.All to assign, Application.Read.All to read the service principals.
$connect = @{ Scopes = @('AppRoleAssignment.ReadWrite.All', 'Application.Read.All'); NoWelcome = $true }
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
foreach ($name in $CloudSyncRoles + @($MailSendRole)) {
    if (-not $wanted.Contains($name) -and (Get-Assignment $name)) {
        Write-Host ('left in place    {0} (granted earlier, not asked for now; -Remove takes away everything)' -f $name)
    }
}
if (Get-Assignment $OnPremSyncRole) {
    Write-Host ('left in place    {0} (granted earlier; it reads nothing app-only: the feature flags are delegated-only; -Remove takes it away)' -f $OnPremSyncRole)
}
