// The Writeback Watch function app on Flex Consumption (Linux, Node 22), running as the one
// user-assigned identity. Every app setting is identity-based: there is no storage key, no Application
// Insights key-based ingestion and no client secret anywhere in the configuration.
param name string
param location string
param tags object = {}
param serviceName string = 'api'
param planId string
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string

@description('Application (client) id of the console\'s app registration. Empty = App Service Authentication stays off.')
param entraClientId string = ''

@secure()
@description('Fallback: a Key Vault reference to the app registration\'s client secret. Empty = the federated credential.')
param entraClientSecretReference string = ''

@description('Resource id of the identity the app registration\'s federated credential trusts (used only with entraClientId).')
param authIdentityId string

@description('Client id of that identity.')
param authIdentityClientId string

@description('The product\'s own settings (SETTING_SPECS in src/config/settings.ts), built in main.bicep. Secure because it carries the alert secrets.')
@secure()
param appSettings object

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Scale-out limit. The nightly scan runs on one instance (a table lease keeps one scanner per tenant); the HTTP API rarely needs more.')
param maximumInstanceCount int = 40

var authEnabled = !empty(entraClientId)
var useClientSecret = !empty(entraClientSecretReference)
// The setting authsettingsV2's clientSecretSettingName names. OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID is
// special to Easy Auth: it holds the identity's client id (not the app registration's) and means "sign in
// with the federated credential". The fallback holds a Key Vault reference to a client secret instead.
var credentialSettingName = useClientSecret
  ? 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'
  : 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'

// The tenant list repeats the issuer's restriction at the edge.
var authAppSettings = authEnabled
  ? {
      '${credentialSettingName}': useClientSecret ? entraClientSecretReference : authIdentityClientId
      WEBSITE_AUTH_AAD_ALLOWED_TENANTS: tenant().tenantId
    }
  : {}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    // The sign-in identity joins only when sign-in is on, and serves nothing else (the docs' advice for
    // identities a federated credential trusts).
    userAssignedIdentities: union(
      {
        '${identityId}': {}
      },
      authEnabled && !useClientSecret
        ? {
            '${authIdentityId}': {}
          }
        : {}
    )
  }
  properties: {
    serverFarmId: planId
    httpsOnly: true
    // Key Vault references in app settings (e.g. ALERT_WEBHOOK_SECRET) resolve with the same identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  // The host's settings. Flex Consumption takes the runtime from functionAppConfig, so
  // FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION must not be set here.
  resource settings 'config' = {
    name: 'appsettings'
    properties: union(appSettings, authAppSettings, {
      // Host storage through the managed identity (no AzureWebJobsStorage connection string).
      AzureWebJobsStorage__accountName: storage.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      // The connection string only names the resource and its ingestion endpoint: with local
      // authentication disabled, telemetry is accepted only with the identity's Entra token.
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      // Links in alerts point at this app.
      PUBLIC_BASE_URL: 'https://${site.properties.defaultHostName}'
      // V8 sizes its heap from the memory it sees, which need not be the instance's, and with a large limit it
      // lets garbage grow to several times the live data. Half the instance memory keeps the worker well inside
      // it (the Functions host and Node's own buffers share the rest) and garbage collection close to live data.
      languageWorkers__node__arguments: '--max-old-space-size=${instanceMemoryMB / 2}'
    })
  }

  // No basic (user name and password) publishing: deployment goes through the identity and Entra.
  resource ftpPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

// Console sign-in (Easy Auth with Microsoft Entra), only with an app registration to sign in against.
module auth 'auth.bicep' = if (authEnabled) {
  name: 'auth'
  params: {
    siteName: site.name
    clientId: entraClientId
    credentialSettingName: credentialSettingName
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
