/**
 * Scan ids read as time: `20261126T020000Z-3fa9c1`. The scans table's RowKey inverts the timestamp digits so
 * a plain partition query lists newest first, and both directions are computed from the id alone.
 */
import { randomBytes } from 'node:crypto';
import { WritebackWatchError } from '../errors';

const SCAN_ID = /^(\d{8})T(\d{6})Z-([0-9a-f]{6})$/;

/**
 * A new scan id for a scan starting at `now`. Ids have whole seconds, so a scan started within the same second
 * as the tenant's newest one (`after`) takes the next free second: "newest first" must never depend on the
 * random suffix.
 */
export function newScanId(now: Date = new Date(), after?: string | null): string {
  let seconds = Math.floor(now.getTime() / 1000);
  if (after) seconds = Math.max(seconds, Math.floor(scanIdTime(after).getTime() / 1000) + 1);
  const stamp = new Date(seconds * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The moment a scan id names. */
export function scanIdTime(scanId: string): Date {
  const [, date, time] = SCAN_ID.exec(assertScanId(scanId))!;
  return new Date(`${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6)}T${time!.slice(0, 2)}:${time!.slice(2, 4)}:${time!.slice(4)}Z`);
}

export function isScanId(value: string): boolean {
  return SCAN_ID.test(value);
}

export function assertScanId(value: string): string {
  if (!isScanId(value)) {
    throw new WritebackWatchError('InvalidInput', `"${value.slice(0, 60)}" is not a scan id. Scan ids look like 20261126T020000Z-3fa9c1; list them with GET /api/scans.`);
  }
  return value;
}

const invert = (digits: string): string => digits.replace(/\d/g, (d) => String(9 - Number(d)));

export function scanRowKey(scanId: string): string {
  const match = SCAN_ID.exec(assertScanId(scanId))!;
  return `${invert(match[1]! + match[2]!)}-${match[3]}`;
}

export function scanIdFromRowKey(rowKey: string): string {
  const [digits = '', random = ''] = rowKey.split('-');
  const plain = invert(digits);
  return `${plain.slice(0, 8)}T${plain.slice(8)}Z-${random}`;
}

/** Common start of the names (without the app prefix) of the tables that hold one scan's rows in the layout of earlier releases (legacySnapshotTables.ts). */
export function snapshotTableName(scanId: string): string {
  return `snap${assertScanId(scanId).replace(/[TZ-]/g, '')}`;
}

/**
 * Name of the table that holds one shard (see keys.ts) of one segment of a scan's snapshot rows. Segment 0 keeps
 * the names scans had before segments existed.
 */
export function snapshotShardTableName(scanId: string, shard: string, segment = 0): string {
  return snapshotTableName(scanId) + (segment === 0 ? shard : `s${segment}${shard}`);
}

