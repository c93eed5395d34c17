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
    if ($null -ne $Body) { $request.Body = ($Body | ConvertTo-Json -Compress); $request.ContentType = 'application/json' }
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

Export-ModuleMember -Function Connect-MgGraph, Get-MgServicePrincipal, Get-MgServicePrincipalAppRoleAssignment, New-MgServicePrincipalAppRoleAssignment, Remove-MgServicePrincipalAppRoleAssignment
