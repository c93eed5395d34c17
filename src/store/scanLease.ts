/**
 * One scanner per tenant, across scaled-out instances and manual triggers: a lease entity in Table Storage
 * taken and renewed with optimistic concurrency (ETag). A holder that crashes stops renewing and its lease
 * expires; a holder that finds its lease taken over stops writing.
 */
import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { WritebackWatchError } from '../errors';
import { statusOf, type TableFactory } from './tableClients';

export const LEASES_TABLE = 'leases';

interface LeaseEntity {
  partitionKey: string;
  rowKey: string;
  owner: string;
  expiresAt: Date;
  scanId?: string;
}

export interface HeldLease {
  owner: string;
  expiresAt: Date;
  /** Extends the lease; throws Conflict when another holder took it over. */
  renew(scanId?: string): Promise<void>;
  release(): Promise<void>;
}

/** This instance no longer holds the lease: another one took over the scan, so this one must stop writing. */
export class LeaseLostError extends WritebackWatchError {
  constructor() {
    super('Conflict', 'The scan lease was taken over by another instance; this one stops writing.');
    this.name = 'LeaseLostError';
  }
}


export class ScanLease {
  private readonly ready: Promise<TableClient>;

  constructor(
    tables: TableFactory,
    private readonly durationMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.ready = tables.ensureTable(LEASES_TABLE);
    this.ready.catch(() => undefined); // surfaced on first use, not as an unhandled rejection
  }

  /** Takes the tenant's scan lease, or returns null while another live holder has it. */
  async tryAcquire(tenantId: string, scanId?: string): Promise<HeldLease | null> {
    const table = await this.ready;
    const owner = randomUUID();
    const entity = (): LeaseEntity => ({
      partitionKey: tenantId,
      rowKey: 'scan',
      owner,
      expiresAt: new Date(this.now() + this.durationMs),
      ...(scanId ? { scanId } : {}),
    });
    let etag: string | null | undefined;
    try {
      const current = await table.getEntity<LeaseEntity>(tenantId, 'scan');
      if (new Date(current.expiresAt).getTime() > this.now()) return null;
      const result = await table.updateEntity(entity(), 'Replace', { etag: current.etag });
      etag = result.etag;
    } catch (error) {
      const status = statusOf(error);
      // 412/409: someone else won the race, or our own write was applied and its answer lost (then retried).
      if (status === 412 || status === 409) etag = await ownEtag(table, tenantId, owner);
      else if (status !== 404) throw error;
      else {
        try {
          etag = (await table.createEntity(entity())).etag;
        } catch (createError) {
          if (statusOf(createError) !== 409) throw createError;
          etag = await ownEtag(table, tenantId, owner);
        }
      }
      if (!etag) return null;
    }
    return this.held(table, tenantId, owner, etag!, entity().expiresAt);
  }

  private held(table: TableClient, tenantId: string, owner: string, etag: string, expiresAt: Date): HeldLease {
    let currentEtag = etag;
    // Renewals of one holder run one after another: two at once would race on the ETag and the loser would
    // wrongly conclude the lease was taken over.
    let renewals: Promise<void> = Promise.resolve();
    const renewNow = async (scanId?: string): Promise<void> => {
      const next: LeaseEntity = { partitionKey: tenantId, rowKey: 'scan', owner, expiresAt: new Date(this.now() + this.durationMs) };
      if (scanId) next.scanId = scanId;
      for (let attempt = 0; ; attempt++) {
        try {
          currentEtag = (await table.updateEntity(next, 'Replace', { etag: currentEtag })).etag ?? currentEtag;
          lease.expiresAt = next.expiresAt;
          return;
        } catch (error) {
          if (statusOf(error) !== 412 && statusOf(error) !== 404) throw error;
          // A 412 can be our own renewal, applied and retried after its answer was lost: still ours, go on.
          const mine = statusOf(error) === 412 && attempt === 0 ? await ownEtag(table, tenantId, owner) : null;
          if (!mine) throw new LeaseLostError();
          currentEtag = mine;
        }
      }
    };
    const lease: HeldLease = {
      owner,
      expiresAt,
      renew: (scanId) => {
        const renewal = renewals.catch(() => undefined).then(() => renewNow(scanId));
        renewals = renewal;
        return renewal;
      },
      release: async () => {
        await renewals.catch(() => undefined);
        try {
          await table.deleteEntity(tenantId, 'scan', { etag: currentEtag });
        } catch (error) {
          if (statusOf(error) !== 412 && statusOf(error) !== 404) throw error;
          const mine = statusOf(error) === 412 ? await ownEtag(table, tenantId, owner) : null;
          if (mine) await table.deleteEntity(tenantId, 'scan', { etag: mine });
        }
      },
    };
    return lease;
  }
}

/** The lease's current ETag if `owner` holds it, else null. */
async function ownEtag(table: TableClient, tenantId: string, owner: string): Promise<string | null> {
  try {
    const current = await table.getEntity<LeaseEntity>(tenantId, 'scan');
    return current.owner === owner ? (current.etag ?? null) : null;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}
