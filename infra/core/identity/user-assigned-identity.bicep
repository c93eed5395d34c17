// The one identity the app uses for everything: Microsoft Graph, its tables, the Functions host's own
// storage and pulling its deployment package. A user-assigned identity (rather than system-assigned)
// exists before the site does, so role assignments and Graph app roles can be granted up front and
// survive re-creating the app.
param name string
param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
