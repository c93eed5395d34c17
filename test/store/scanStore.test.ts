/** The scans table against Azurite: a record written by another instance is never overwritten by a stale one. */
import { describe, expect, it } from 'vitest';
import { newScanRecord, ScanStore, type StoredScan } from '../../src/store/scanStore';
import { LeaseLostError } from '../../src/store/scanLease';
import { createTableFactory } from '../../src/store/tableClients';
import { testSettings } from '../helpers/settings';

function newScan(): StoredScan {
  return newScanRecord({
    id: '20261126T020000Z-abc123',
    tenantId: '11111111-2222-3333-4444-555555555555',
    trigger: 'timer',
    startedAt: new Date('2026-11-26T02:00:00Z'),
    mode: 'full',
    baseScanId: null,
    fullScanAt: null,
  });
}

describe('ScanStore.save', () => {
  it('refuses a stale write once another instance has taken the scan over', async () => {
    const settings = testSettings();
    // Two instances (two processes in real life) on the same tables.
    const first = new ScanStore(createTableFactory(settings));
    const second = new ScanStore(createTableFactory(settings));
    const scan = newScan();
    await first.create(scan);
    scan.pages = 2;
    await first.save(scan); // its own writes follow each other fine

    const takenOver = (await second.get(scan.tenantId, scan.id))!;
    takenOver.pages = 5;
    takenOver.resumes = 1;
    await second.save(takenOver);

    scan.pages = 3;
    scan.status = 'failed';
    await expect(first.save(scan)).rejects.toBeInstanceOf(LeaseLostError);
    const stored = (await first.get(scan.tenantId, scan.id))!;
    expect(stored).toMatchObject({ status: 'running', pages: 5, resumes: 1 });

    // The instance that holds the scan goes on saving.
    takenOver.status = 'complete';
    await second.save(takenOver);
    expect((await second.get(scan.tenantId, scan.id))!.status).toBe('complete');
  });
});
