<#
  Stand-in for the Microsoft Graph PowerShell cmdlets that scripts/grant-graph-permissions.ps1 uses, with
  the same names and parameters. Each one is a plain REST call to $env:GRAPH_BASE_URL (the test's loopback
  Graph), so the script runs unchanged and the Graph behaviour under test comes from that server.
#>
$script:Token = $null

function Connect-MgGraph {
    param([string[]] $Scopes, [string] $TenantId, [switch] $NoWelcome)
    if ($Scopes -notcontains 'AppRoleAssignment.ReadWrite.All') { throw 'AppRoleAssignment.ReadWrite.All scope not requested' }
    $script:Token = $env:GRAPH_TOKEN
}

function Invoke-Graph([string] $Method, [string] $Uri, $Body) {
    if (-not $script:Token) { throw 'Connect-MgGraph was not called' }
    if ($Uri -notmatch '^http') { $Uri = "$($env:GRAPH_BASE_URL.TrimEnd('/'))/v1.0$Uri" }
    $request = @{ Method = $Method; Uri = $Uri; Headers = @{ Authorization = "Bearer $script:Token" } }
    if ($null -ne $Body) { $request.Body = ($Body | ConvertTo-Json -Compress -Depth 10); $request.ContentType = 'application/json' }
    Invoke-RestMethod @request
}

function Get-GraphList([string] $Uri) {
    while ($Uri) {
        $page = Invoke-Graph GET $Uri
        $page.value
        $Uri = $page.'@odata.nextLink'
    }
}

function Get-MgServicePrincipal {
    param([string] $ServicePrincipalId, [string] $Filter, [switch] $All, [string[]] $Property)
    $select = if ($Property) { '$select=' + [uri]::EscapeDataString(($Property -join ',')) } else { '' }
    if ($ServicePrincipalId) { return Invoke-Graph GET "/servicePrincipals/$ServicePrincipalId`?$select" }
    Get-GraphList "/servicePrincipals?`$filter=$([uri]::EscapeDataString($Filter))&$select"
}

function Get-MgServicePrincipalAppRoleAssignment {
    param([Parameter(Mandatory)] [string] $ServicePrincipalId, [switch] $All)
    Get-GraphList "/servicePrincipals/$ServicePrincipalId/appRoleAssignments"
}

function New-MgServicePrincipalAppRoleAssignment {
    param([Parameter(Mandatory)] [string] $ServicePrincipalId, [Parameter(Mandatory)] [hashtable] $BodyParameter)
    Invoke-Graph POST "/servicePrincipals/$ServicePrincipalId/appRoleAssignments" $BodyParameter
}

function Remove-MgServicePrincipalAppRoleAssignment {
    param([Parameter(Mandatory)] [string] $ServicePrincipalId, [Parameter(Mandatory)] [string] $AppRoleAssignmentId)
    Invoke-Graph DELETE "/servicePrincipals/$ServicePrincipalId/appRoleAssignments/$AppRoleAssignmentId" | Out-Null
}

# Microsoft.Graph.Authentication's Get-MgContext: the signed-in tenant (here read from the loopback Graph).
function Get-MgContext {
    if (-not $script:Token) { return $null }
    [pscustomobject] @{ TenantId = (Invoke-Graph GET '/organization?$select=id').value[0].id }
}

function Get-MgApplication {
    param([string] $Filter, [switch] $All, [string[]] $Property)
    $select = if ($Property) { '&$select=' + [uri]::EscapeDataString(($Property -join ',')) } else { '' }
    Get-GraphList "/applications?`$filter=$([uri]::EscapeDataString($Filter))$select"
}

function New-MgApplication {
    param([Parameter(Mandatory)] [hashtable] $BodyParameter)
    Invoke-Graph POST '/applications' $BodyParameter
}

function Update-MgApplication {
    param([Parameter(Mandatory)] [string] $ApplicationId, [Parameter(Mandatory)] [hashtable] $BodyParameter)
    Invoke-Graph PATCH "/applications/$ApplicationId" $BodyParameter | Out-Null
}

function Get-MgApplicationFederatedIdentityCredential {
    param([Parameter(Mandatory)] [string] $ApplicationId, [switch] $All)
    Get-GraphList "/applications/$ApplicationId/federatedIdentityCredentials"
}

function New-MgApplicationFederatedIdentityCredential {
    param([Parameter(Mandatory)] [string] $ApplicationId, [Parameter(Mandatory)] [hashtable] $BodyParameter)
    Invoke-Graph POST "/applications/$ApplicationId/federatedIdentityCredentials" $BodyParameter
}

function Update-MgApplicationFederatedIdentityCredential {
    param([Parameter(Mandatory)] [string] $ApplicationId, [Parameter(Mandatory)] [string] $FederatedIdentityCredentialId, [Parameter(Mandatory)] [hashtable] $BodyParameter)
    Invoke-Graph PATCH "/applications/$ApplicationId/federatedIdentityCredentials/$FederatedIdentityCredentialId" $BodyParameter | Out-Null
}

function New-MgServicePrincipal {
    param([Parameter(Mandatory)] [hashtable] $BodyParameter)
    Invoke-Graph POST '/servicePrincipals' $BodyParameter
}

function Update-MgServicePrincipal {
    param([Parameter(Mandatory)] [string] $ServicePrincipalId, [Parameter(Mandatory)] [hashtable] $BodyParameter)
    Invoke-Graph PATCH "/servicePrincipals/$ServicePrincipalId" $BodyParameter | Out-Null
}

function Get-MgServicePrincipalAppRoleAssignedTo {
    param([Parameter(Mandatory)] [string] $ServicePrincipalId, [switch] $All)
    Get-GraphList "/servicePrincipals/$ServicePrincipalId/appRoleAssignedTo"
}

function New-MgServicePrincipalAppRoleAssignedTo {
    param([Parameter(Mandatory)] [string] $ServicePrincipalId, [Parameter(Mandatory)] [hashtable] $BodyParameter)
    Invoke-Graph POST "/servicePrincipals/$ServicePrincipalId/appRoleAssignedTo" $BodyParameter
}

Export-ModuleMember -Function Connect-MgGraph, Get-MgContext, Get-MgServicePrincipal, Get-MgServicePrincipalAppRoleAssignment, New-MgServicePrincipalAppRoleAssignment, Remove-MgServicePrincipalAppRoleAssignment,
    Get-MgApplication, New-MgApplication, Update-MgApplication, Get-MgApplicationFederatedIdentityCredential, New-MgApplicationFederatedIdentityCredential,
    Update-MgApplicationFederatedIdentityCredential, New-MgServicePrincipal, Update-MgServicePrincipal, Get-MgServicePrincipalAppRoleAssignedTo, New-MgServicePrincipalAppRoleAssignedTo
