// App Service Authentication (Easy Auth) with Microsoft Entra on the function app, for the console.
//
// Every path requires a signed-in caller except the function-key routes in easyauth-excluded-paths.json,
// which keep working for scripts with a key (test/infra/easyAuthPaths.test.ts keeps that list equal to the
// function-key routes, and keeps every /api/console/ route out of it). Requiring sign-in at the platform,
// rather than AllowAnonymous with the app deciding, means anonymous traffic never reaches a console route
// even if a route forgets its check; the code still checks the principal, its tenant and its roles.
//
// No client secret: Easy Auth signs in with a federated credential on the app registration that trusts
// the user-assigned identity named in OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID (preview; the Key Vault
// fallback is entraClientSecretReference in main.bicep, see docs/deploy.md). No token store: the app needs no provider tokens, and a file-system store
// would not follow a request across Flex Consumption instances.
param siteName string

@description('Application (client) id of the app registration made by scripts/grant-graph-permissions.*.')
param clientId string

@description('App setting holding the sign-in credential: OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID (federated credential) or the fallback secret\'s setting.')
param credentialSettingName string

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: siteName
}

resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      requireAuthentication: true
      // A browser opening /api/console/ goes straight to the Entra sign-in page and back.
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: loadJsonContent('easyauth-excluded-paths.json')
    }
    httpSettings: {
      requireHttps: true
      routes: {
        apiPrefix: '/.auth'
      }
      forwardProxy: {
        convention: 'NoProxy'
      }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          // Only this tenant's accounts: single-tenant v2.0 issuer.
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
          clientId: clientId
          // Names the setting that holds the identity's client id (the federated credential, not a secret),
          // or in the fallback the Key Vault reference to a client secret.
          clientSecretSettingName: credentialSettingName
        }
        validation: {
          // v2 tokens carry the client id as audience; v1 tokens (and some clients) use the identifier URI.
          allowedAudiences: [
            clientId
            'api://${clientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
      preserveUrlFragmentsForLogins: false
      cookieExpiration: {
        convention: 'FixedTime'
        timeToExpiration: '08:00:00'
      }
      nonce: {
        validateNonce: true
        nonceExpirationInterval: '00:05:00'
      }
    }
  }
}
