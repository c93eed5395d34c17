/**
 * The approvals table (`<prefix>approvals`): PartitionKey = tenant id, RowKey = approval id. Approvals are
 * few (tens), so listing reads the partition; the live ones are filtered on the server by expiry.
 * Who asked and who revoked are stored as the principal's columns (`requestedByObjectId`, …, see
 * src/auth/actor.ts); rows from before sign-in hold only the typed `requestedBy` and read back as legacy.
 */
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { WritebackWatchError } from '../errors';
import { statusOf, type TableFactory } from '../store/tableClients';
import { isLive, type Approval, type ApprovalExpectation } from './approvals';
import { actorColumns, actorFromColumns, recordPrincipal } from '../auth/actor';
import { hasRole, type Principal } from '../auth/principal';

export const APPROVALS_TABLE = 'approvals';

interface ApprovalEntity {
  partitionKey: string;
  rowKey: string;
  groupId: string;
  expect: string;
  /** Readable line; the only record of who asked on rows from before sign-in. */
  requestedBy: string;
  reason: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
  [column: string]: unknown;
}

const SAFE_ID = /^[A-Za-z0-9-]{1,64}$/;

export class ApprovalStore {
  private readonly ready: Promise<TableClient>;

  constructor(tables: TableFactory) {
    this.ready = tables.ensureTable(APPROVALS_TABLE);
  }

  async create(approval: Approval): Promise<Approval> {
    if (!SAFE_ID.test(approval.id)) {
      throw new WritebackWatchError('InvalidInput', 'Approval ids are 1-64 letters, digits or dashes.', { field: 'id' });
    }
    const table = await this.ready;
    await table.createEntity(toEntity(approval));
    return approval;
  }

  async get(tenantId: string, id: string): Promise<Approval | null> {
    if (!SAFE_ID.test(id)) return null;
    const table = await this.ready;
    try {
      return fromEntity(await table.getEntity<ApprovalEntity>(tenantId, id));
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  /** Every approval of the tenant, expired ones included (until deleted), soonest expiry first. */
  async list(tenantId: string): Promise<Approval[]> {
    return this.query(odata`PartitionKey eq ${tenantId}`);
  }

  /** Approvals in force at `now`. */
  async listLive(tenantId: string, now: Date): Promise<Approval[]> {
    const approvals = await this.query(odata`PartitionKey eq ${tenantId} and expiresAt gt ${now}`);
    return approvals.filter((approval) => isLive(approval, now));
  }

  /**
   * Ends the approval now and records who did (an Approver); it stays listed, marked revoked, so the
   * record of who allowed what survives. Null when it does not exist; a revoked one is returned as it is.
   */
  async revoke(tenantId: string, id: string, options: { by: Principal; now?: Date }): Promise<Approval | null> {
    if (!hasRole(options.by, 'Approver')) {
      throw new WritebackWatchError('Forbidden', 'Revoking an approval needs the Approver role of this app.');
    }
    const existing = await this.get(tenantId, id);
    if (!existing || existing.revokedAt) return existing;
    const table = await this.ready;
    const revokedAt = options.now ?? new Date();
    await table.updateEntity({ partitionKey: tenantId, rowKey: id, revokedAt, ...actorColumns('revokedBy', recordPrincipal(options.by)) }, 'Merge');
    return { ...existing, revokedAt, revokedBy: recordPrincipal(options.by) };
  }

  /** Deletes the approval; false when it did not exist. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    if (!SAFE_ID.test(id)) return false;
    const table = await this.ready;
    try {
      await table.deleteEntity(tenantId, id);
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  private async query(filter: string): Promise<Approval[]> {
    const table = await this.ready;
    const approvals: Approval[] = [];
    for await (const entity of table.listEntities<ApprovalEntity>({ queryOptions: { filter } })) approvals.push(fromEntity(entity));
    return approvals.sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime());
  }
}

function toEntity(approval: Approval): ApprovalEntity {
  if (approval.requestedBy.kind === 'legacy') {
    throw new WritebackWatchError('InvalidInput', 'A new approval records the signed-in principal that asks for it, never a typed name.', { field: 'requestedBy' });
  }
  const requester = actorColumns('requestedBy', approval.requestedBy);
  return {
    ...requester,
    partitionKey: approval.tenantId,
    rowKey: approval.id,
    groupId: approval.groupId,
    expect: JSON.stringify(approval.expect),
    requestedBy: requester.requestedBy!,
    reason: approval.reason,
    createdAt: approval.createdAt,
    expiresAt: approval.expiresAt,
  };
}

function fromEntity(entity: TableEntityResult<ApprovalEntity>): Approval {
  return {
    id: entity.rowKey,
    tenantId: entity.partitionKey,
    groupId: entity.groupId,
    expect: JSON.parse(entity.expect) as ApprovalExpectation,
    requestedBy: actorFromColumns('requestedBy', entity) ?? { kind: 'legacy', name: '(not recorded)' },
    reason: entity.reason,
    createdAt: new Date(entity.createdAt),
    expiresAt: new Date(entity.expiresAt),
    revokedAt: entity.revokedAt ? new Date(entity.revokedAt) : null,
    revokedBy: actorFromColumns('revokedBy', entity),
  };
}
