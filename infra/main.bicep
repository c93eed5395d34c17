// Writeback Watch on Azure: a Function App on Flex Consumption, its storage account, Application
// Insights, and one user-assigned managed identity, all reachable only with Microsoft Entra tokens.
// `azd up` provisions this and deploys the code; docs/deploy.md walks through it.
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------------
// What the person deploying chooses (mapped from the azd environment in main.parameters.json).
// ---------------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds a unique suffix for resource names.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the person deploying (azd sets it). Used only when grantDeployerTableRead is true.')
param principalId string = ''

@description('Give the deploying person read-only access to the snapshot tables. Off by default: nobody but the app needs data access.')
param grantDeployerTableRead bool = false

@description('Deploy a log search alert for failed and missed scans (docs/queries/failed-and-missed-scans.kql).')
param deployScanAlert bool = false

@description('Existing action group the scan alert notifies. Empty = the alert only shows in Azure Monitor.')
param scanAlertActionGroupId string = ''

@description('Application (client) id of the console\'s app registration (scripts/grant-graph-permissions.* creates it; azd env ENTRA_CLIENT_ID). Empty = App Service Authentication off and CONSOLE_AUTH=off.')
param entraClientId string = ''

@secure()
@description('Fallback only, if the federated credential (preview) does not work: a Key Vault reference to the app registration\'s client secret, @Microsoft.KeyVault(SecretUri=…). Empty = no secret (the default).')
param entraClientSecretReference string = ''

// ---------------------------------------------------------------------------------------------------
// The app's settings (SETTING_SPECS in src/config/settings.ts). Defaults are the code's defaults;
// test/infra/armTemplate.test.ts keeps the two in step. Settings derived from the deployment
// (TABLE_STORAGE_ENDPOINT, AZURE_CLIENT_ID, GRAPH_CREDENTIAL, PUBLIC_BASE_URL, and CONSOLE_AUTH from
// entraClientId) have no parameter.
// ---------------------------------------------------------------------------------------------------

@description('TENANT_ID: the Entra tenant to scan. The managed identity can only get Graph tokens for the tenant of this subscription.')
param tenantId string = subscription().tenantId

@description('GRAPH_BASE_URL: Microsoft Graph root (change only for a national cloud).')
param graphBaseUrl string = 'https://graph.microsoft.com'

@minValue(1)
@maxValue(999)
@description('GRAPH_PAGE_SIZE: groups per Graph page ($top).')
param graphPageSize int = 999

@minValue(1)
@maxValue(50)
@description('GRAPH_MAX_ATTEMPTS: attempts per Graph request before the scan fails.')
param graphMaxAttempts int = 8

@minValue(0)
@maxValue(86400)
@description('GRAPH_RETRY_BUDGET_SECONDS: total seconds one scan may wait on Graph retries.')
param graphRetryBudgetSeconds int = 600

@minValue(1)
@maxValue(600)
@description('GRAPH_REQUEST_TIMEOUT_SECONDS: seconds before one Graph request is abandoned and retried.')
param graphRequestTimeoutSeconds int = 100

@description('CLOUD_SYNC_SERVICE_PRINCIPAL_IDS: comma-separated object ids of Cloud Sync service principals to read besides the discovered ones.')
param cloudSyncServicePrincipalIds string = ''

@description('MEMBER_COUNTS_ENABLED: fetch member counts of written-back groups to check Entra Connect size limits.')
param memberCountsEnabled bool = false

@description('WRITEBACK_ENGINES: the writeback engines the tenant runs (connectSyncV2 or connectSyncV1, cloudSync; or none).')
param writebackEngines string = 'connectSyncV2,cloudSync'

@minLength(1)
@maxLength(12)
@description('TABLE_PREFIX: prefix of every table the app creates.')
param tablePrefix string = 'wbw'

@description('SCAN_SCHEDULE: six-field NCRONTAB schedule of the nightly scan (UTC).')
param scanSchedule string = '0 0 2 * * *'

@description('SCAN_RESUME_SCHEDULE: how often a paused or interrupted scan is looked for and continued.')
param scanResumeSchedule string = '0 */5 * * * *'

@minValue(0)
@maxValue(86400)
@description('SCAN_TIME_BUDGET_SECONDS: seconds one invocation may scan before it checkpoints. 0 = no limit.')
param scanTimeBudgetSeconds int = 0

@minValue(1)
@maxValue(1000)
@description('SCAN_CHECKPOINT_PAGES: pages between checkpoints; a crash redoes at most three times this many.')
param scanCheckpointPages int = 10

@minValue(1)
@maxValue(168)
@description('SCAN_RESUME_MAX_AGE_HOURS: a running scan older than this is marked failed instead of resumed.')
param scanResumeMaxAgeHours int = 6

@minValue(5)
@maxValue(3600)
@description('SCAN_LEASE_SECONDS: lease that keeps one scanner per tenant.')
param scanLeaseSeconds int = 120

@minValue(1)
@maxValue(3650)
@description('RETENTION_DAYS: complete scans older than this are deleted.')
param retentionDays int = 90

@description('DELTA_ENABLED: read changes with Graph delta between full scans.')
param deltaEnabled bool = false

@minValue(1)
@maxValue(168)
@description('DELTA_MAX_TOKEN_AGE_HOURS: a delta token older than this forces a full scan.')
param deltaMaxTokenAgeHours int = 144

@minValue(1)
@maxValue(30)
@description('FULL_SCAN_INTERVAL_DAYS: with delta on, a full scan runs at least this often.')
param fullScanIntervalDays int = 7

@description('ALERT_POLICY: alert policy as inline JSON or a path to a JSON file. Empty = built-in defaults.')
param alertPolicy string = ''

@secure()
@description('ALERT_WEBHOOK_URL: generic webhook for alerts. Secure because such URLs often embed a token.')
param alertWebhookUrl string = ''

@secure()
@description('ALERT_WEBHOOK_SECRET: HMAC secret for webhook signatures. Prefer a Key Vault reference: @Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>).')
param alertWebhookSecret string = ''

@secure()
@description('ALERT_TEAMS_WEBHOOK_URL: Teams Workflows webhook. Secure because the URL carries its signature (sig=).')
param alertTeamsWebhookUrl string = ''

@description('ALERT_EMAIL_FROM: mailbox that sends alert email through Graph (needs Mail.Send). Empty = off.')
param alertEmailFrom string = ''

@description('ALERT_EMAIL_TO: comma-separated recipients of alert email.')
param alertEmailTo string = ''

@minValue(1)
@maxValue(720)
@description('ALERT_MISSED_SCAN_HOURS: alert once when no scan completed within this many hours.')
param alertMissedScanHours int = 26

@description('AUDIT_ATTRIBUTION_ENABLED: look up who made each change in the Entra audit log (needs AuditLog.Read.All).')
param auditAttributionEnabled bool = true

@minValue(1)
@maxValue(500)
@description('AUDIT_MAX_PAGES: most audit log requests per night.')
param auditMaxPages int = 50

@minValue(0)
@maxValue(1440)
@description('AUDIT_LATENCY_GRACE_MINUTES: a change whose window is younger than this stays pending until the next run.')
param auditLatencyGraceMinutes int = 30

@minValue(1)
@maxValue(30)
@description('AUDIT_RETENTION_DAYS: days the tenant keeps its audit log (30 on Entra ID P1/P2, 7 on Free).')
param auditRetentionDays int = 30

@description('AUDIT_WRITEBACK_PROPERTY_PATTERNS: comma-separated parts of an audit property name that mark a writeback change.')
param auditWritebackPropertyPatterns string = 'writeback,onPremisesGroupType'

// ---------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var identityName = '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
var authIdentityName = '${abbrs.managedIdentityUserAssignedIdentities}auth-${resourceToken}'
var applicationInsightsName = '${abbrs.insightsComponents}${resourceToken}'
// Flex Consumption pulls the deployment package from this container.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'core/identity/user-assigned-identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

// The identity the console app registration's federated credential trusts, so Easy Auth signs in without a
// client secret. It holds no role anywhere and joins the site only when sign-in is on; it exists from the
// first deployment so the admin's script can name it before the app registration exists.
module authIdentity 'core/identity/user-assigned-identity.bicep' = {
  name: 'authIdentity'
  scope: rg
  params: {
    name: authIdentityName
    location: location
    tags: tags
  }
}

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    containerNames: [
      deploymentContainerName
    ]
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module plan 'core/host/flex-consumption-plan.bicep' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
  }
}

// Roles first: the host needs its storage roles the moment the app starts. Names, not module outputs,
// are passed where a module uses them to find a resource, so What-If can predict the changes; the
// dependsOn list supplies the ordering those outputs would have implied.
module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  dependsOn: [
    identity
    storage
    monitoring
  ]
  params: {
    storageAccountName: storageAccountName
    applicationInsightsName: applicationInsightsName
    identityName: identityName
    deployerPrincipalId: principalId
    grantDeployerTableRead: grantDeployerTableRead
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  dependsOn: [
    monitoring
    rbac
  ]
  params: {
    name: functionAppName
    location: location
    tags: tags
    planId: plan.outputs.id
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: applicationInsightsName
    entraClientId: entraClientId
    entraClientSecretReference: entraClientSecretReference
    authIdentityId: authIdentity.outputs.id
    authIdentityClientId: authIdentity.outputs.clientId
    // Every SETTING_SPECS entry that is not localOnly, except PUBLIC_BASE_URL (the site's own address,
    // set in app/api.bicep). Values are strings, as app settings are.
    appSettings: {
      TENANT_ID: tenantId
      GRAPH_BASE_URL: graphBaseUrl
      GRAPH_CREDENTIAL: 'managedIdentity'
      AZURE_CLIENT_ID: identity.outputs.clientId
      GRAPH_PAGE_SIZE: string(graphPageSize)
      GRAPH_MAX_ATTEMPTS: string(graphMaxAttempts)
      GRAPH_RETRY_BUDGET_SECONDS: string(graphRetryBudgetSeconds)
      GRAPH_REQUEST_TIMEOUT_SECONDS: string(graphRequestTimeoutSeconds)
      CLOUD_SYNC_SERVICE_PRINCIPAL_IDS: cloudSyncServicePrincipalIds
      MEMBER_COUNTS_ENABLED: memberCountsEnabled ? 'true' : 'false'
      WRITEBACK_ENGINES: writebackEngines
      TABLE_STORAGE_ENDPOINT: storage.outputs.tableEndpoint
      TABLE_PREFIX: tablePrefix
      SCAN_SCHEDULE: scanSchedule
      SCAN_RESUME_SCHEDULE: scanResumeSchedule
      SCAN_TIME_BUDGET_SECONDS: string(scanTimeBudgetSeconds)
      SCAN_CHECKPOINT_PAGES: string(scanCheckpointPages)
      SCAN_RESUME_MAX_AGE_HOURS: string(scanResumeMaxAgeHours)
      SCAN_LEASE_SECONDS: string(scanLeaseSeconds)
      RETENTION_DAYS: string(retentionDays)
      DELTA_ENABLED: deltaEnabled ? 'true' : 'false'
      DELTA_MAX_TOKEN_AGE_HOURS: string(deltaMaxTokenAgeHours)
      FULL_SCAN_INTERVAL_DAYS: string(fullScanIntervalDays)
      ALERT_POLICY: alertPolicy
      ALERT_WEBHOOK_URL: alertWebhookUrl
      ALERT_WEBHOOK_SECRET: alertWebhookSecret
      ALERT_TEAMS_WEBHOOK_URL: alertTeamsWebhookUrl
      ALERT_EMAIL_FROM: alertEmailFrom
      ALERT_EMAIL_TO: alertEmailTo
      ALERT_MISSED_SCAN_HOURS: string(alertMissedScanHours)
      AUDIT_ATTRIBUTION_ENABLED: auditAttributionEnabled ? 'true' : 'false'
      AUDIT_MAX_PAGES: string(auditMaxPages)
      AUDIT_LATENCY_GRACE_MINUTES: string(auditLatencyGraceMinutes)
      AUDIT_RETENTION_DAYS: string(auditRetentionDays)
      AUDIT_WRITEBACK_PROPERTY_PATTERNS: auditWritebackPropertyPatterns
      // The console trusts Easy Auth only where infra/ turned it on (and the platform confirms it).
      CONSOLE_AUTH: empty(entraClientId) ? 'off' : 'entra'
    }
  }
}

module scanAlert 'app/scan-alert.bicep' = if (deployScanAlert) {
  name: 'scanAlert'
  scope: rg
  params: {
    name: '${abbrs.insightsScheduledQueryRules}scans-${resourceToken}'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    missedScanHours: alertMissedScanHours
    actionGroupId: scanAlertActionGroupId
  }
}

// ---------------------------------------------------------------------------------------------------
// Outputs azd stores in the environment (.azure/<env>/.env); nothing here is a secret.
// ---------------------------------------------------------------------------------------------------
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output SERVICE_API_URI string = 'https://${api.outputs.defaultHostName}'
// For scripts/grant-graph-permissions.*: the service principal that needs the Graph app roles.
output MANAGED_IDENTITY_NAME string = identity.outputs.name
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
// For the console's app registration (scripts/grant-graph-permissions.*): the identity its federated
// credential trusts, and the redirect URI's host (SERVICE_API_URI).
output AUTH_IDENTITY_PRINCIPAL_ID string = authIdentity.outputs.principalId
output AUTH_IDENTITY_CLIENT_ID string = authIdentity.outputs.clientId
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
