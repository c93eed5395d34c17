// Data-plane roles for the app's managed identity, each scoped to the one resource it is needed on.
// Nothing is granted at resource-group or subscription scope, and nothing to a user by default.
param storageAccountName string
param applicationInsightsName string
@description('The app\'s user-assigned managed identity: the one principal every role below goes to.')
param identityName string

@description('Object id of the person who deployed (azd fills it in). Used only when grantDeployerTableRead is true.')
param deployerPrincipalId string = ''

@description('Give the deploying user read-only access to the snapshot tables (for Azure Storage Explorer or `az storage entity query --auth-mode login`).')
param grantDeployerTableRead bool = false

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
// No Storage Queue Data Contributor: the app has only timer and HTTP triggers, and the host needs queues
// only for queue or blob triggers (and Durable Functions). Add it here if such a trigger is ever added.
var roles = {
  // The Functions host keeps its locks, keys and timer schedule state in blobs, and Flex Consumption
  // pulls the deployment package from a blob container.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Snapshots, scan state, leases and alerts are tables; the host also writes its diagnostic events table.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  // Entra-authenticated ingestion into Application Insights (local authentication is disabled).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.storageTableDataContributor
    )
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roles.monitoringMetricsPublisher
    )
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource deployerTableReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployerTableRead && !empty(deployerPrincipalId)) {
  name: guid(storage.id, deployerPrincipalId, roles.storageTableDataReader)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
    principalId: deployerPrincipalId
    principalType: 'User'
  }
}
