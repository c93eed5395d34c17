import { describe, expect, it } from 'vitest';
import { CLOUD_SYNC_CHANGE_MAX_IDS, diffCloudSync } from '../../src/diff/diffCloudSync';
import type { CloudSyncChange } from '../../src/model';
import { cloudSyncContext, cloudSyncJob } from '../helpers/cloudSync';

const kinds = (changes: CloudSyncChange[]) => changes.map((c) => c.kind);
const id = (n: number) => `22222222-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('diffCloudSync', () => {
  it('reports nothing when only the last run time moved', () => {
    expect(diffCloudSync(cloudSyncContext(), cloudSyncContext([cloudSyncJob({ lastSuccessfulRun: '2026-11-25T01:40:00Z' })]))).toEqual([]);
  });

  it('reports status, schedule and quarantine of a job that went into quarantine', () => {
    const after = cloudSyncContext([cloudSyncJob({ statusCode: 'Quarantine', scheduleState: 'Disabled', quarantined: true, quarantineReason: 'EncounteredQuarantineException' })]);
    const changes = diffCloudSync(cloudSyncContext(), after);
    expect(kinds(changes)).toEqual(['jobStatusChanged', 'jobScheduleChanged', 'jobQuarantineChanged']);
    expect(changes[0]).toMatchObject({ before: 'Active', after: 'Quarantine', configurationName: 'contoso.com', jobId: cloudSyncJob().jobId });
    expect(changes[2]).toMatchObject({ before: null, after: 'quarantined (EncounteredQuarantineException)' });
  });

  it('reports a scope mode change, or a filter change within attribute filtering', () => {
    const filter = (value: string) => cloudSyncJob({ scope: { mode: 'attributeFilter', filterGroups: [[{ sourceAttributeName: 'displayName', operatorName: 'EQUALS', values: [value] }]] }, assignedGroupIds: null });
    const mode = diffCloudSync(cloudSyncContext(), cloudSyncContext([filter('Sales')]));
    expect(kinds(mode)).toEqual(['scopeModeChanged']); // assignments are not compared: no longer read
    expect(mode[0]).toMatchObject({ before: 'selectedGroups', after: 'attributeFilter' });
    const clause = diffCloudSync(cloudSyncContext([filter('Sales')]), cloudSyncContext([filter('Finance')]));
    expect(clause).toEqual([expect.objectContaining({ kind: 'scopeFilterChanged', before: 'attribute filter: displayName EQUALS "Sales"', after: 'attribute filter: displayName EQUALS "Finance"' })]);
  });

  it('reports groups assigned and unassigned, with their count and ids', () => {
    const before = cloudSyncContext([cloudSyncJob({ assignedGroupIds: [id(1), id(2), id(3)] })]);
    const after = cloudSyncContext([cloudSyncJob({ assignedGroupIds: [id(2), id(4), id(5)] })]);
    const changes = diffCloudSync(before, after);
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'groupsAssigned', groupCount: 2, groupIds: [id(4), id(5)] }),
      expect.objectContaining({ kind: 'groupsUnassigned', groupCount: 2, groupIds: [id(1), id(3)] }),
    ]);
  });

  it('lists at most CLOUD_SYNC_CHANGE_MAX_IDS ids but counts them all', () => {
    const many = Array.from({ length: CLOUD_SYNC_CHANGE_MAX_IDS + 5 }, (_, i) => id(i));
    const [assigned] = diffCloudSync(cloudSyncContext([cloudSyncJob({ assignedGroupIds: [] })]), cloudSyncContext([cloudSyncJob({ assignedGroupIds: many })]));
    expect(assigned).toMatchObject({ kind: 'groupsAssigned', groupCount: many.length });
    expect(assigned!.groupIds).toHaveLength(CLOUD_SYNC_CHANGE_MAX_IDS);
  });

  it('reports a container change, and shows an expression as such', () => {
    const changes = diffCloudSync(cloudSyncContext(), cloudSyncContext([cloudSyncJob({ container: { kind: 'expression', expression: 'Switch([displayName],"OU=A")' } })]));
    expect(changes).toEqual([expect.objectContaining({ kind: 'containerChanged', before: 'OU=CloudGroups,DC=contoso,DC=com', after: 'expression Switch([displayName],"OU=A")' })]);
  });

  it('reports jobs added and removed between two complete readings', () => {
    const other = cloudSyncJob({ jobId: 'AAD2ADGroupProvisioning.other', domain: 'fabrikam.com' });
    expect(kinds(diffCloudSync(cloudSyncContext(), cloudSyncContext([cloudSyncJob(), other])))).toEqual(['jobAdded']);
    expect(kinds(diffCloudSync(cloudSyncContext([cloudSyncJob(), other]), cloudSyncContext()))).toEqual(['jobRemoved']);
    expect(kinds(diffCloudSync(cloudSyncContext([]), cloudSyncContext()))).toEqual(['contextStatusChanged', 'jobAdded']);
  });

  it('does not take what an unknown reading lacks for a change, but reports that it became unknown', () => {
    const unknown = cloudSyncContext([cloudSyncJob({ assignedGroupIds: null })], { status: 'unknown', missingPermissions: ['Application.Read.All'], unknownReason: 'refused' });
    expect(diffCloudSync(cloudSyncContext(), unknown)).toEqual([expect.objectContaining({ kind: 'contextStatusChanged', before: 'read', after: 'unknown' })]);
    const lost = cloudSyncContext([], { status: 'unknown', missingPermissions: ['Synchronization.Read.All'], unknownReason: 'refused' });
    expect(kinds(diffCloudSync(cloudSyncContext(), lost))).toEqual(['contextStatusChanged']);
  });

  it('compares nothing with a scan stored before Cloud Sync was read', () => {
    expect(diffCloudSync(null, cloudSyncContext())).toEqual([]);
    expect(diffCloudSync(cloudSyncContext(), null)).toEqual([]);
  });
});
