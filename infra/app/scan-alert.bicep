// A log search alert that fires when a scan failed or when no scan completed in time. It runs the
// query in docs/queries/failed-and-missed-scans.kql (one source for the query people run by hand and
// the one the alert runs) with the deployed missed-scan threshold.
param name string
param location string
param tags object = {}
param applicationInsightsId string

@minValue(1)
@maxValue(720)
@description('ALERT_MISSED_SCAN_HOURS. A log alert looks back at most 2 days, so values above 47 are capped at 47.')
param missedScanHours int

@description('Resource id of an existing action group to notify (email, Teams, …). Empty = the alert only shows in Azure Monitor.')
param actionGroupId string = ''

var queryFile = loadTextContent('../../docs/queries/failed-and-missed-scans.kql')
var query = replace(queryFile, 'let missedScanHours = 26h;', 'let missedScanHours = ${min(missedScanHours, 47)}h;')

resource alert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: name
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Writeback Watch: failed or missed scan'
    description: 'A Writeback Watch scan failed, or no scan completed within the missed-scan window. See docs/deploy.md.'
    severity: 2
    enabled: true
    scopes: [
      applicationInsightsId
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    criteria: {
      allOf: [
        {
          query: query
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    // Stateful: one notification per problem, resolved when the query comes back empty.
    autoMitigate: true
    actions: {
      actionGroups: empty(actionGroupId) ? [] : [actionGroupId]
    }
  }
}

output id string = alert.id
