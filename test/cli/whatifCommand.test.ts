/** `whatif` against a real scan: Graph emulator, Azurite, the command writing JSON lines and a workbook. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { whatifCommand } from '../../src/cli/whatifCommand';
import { runScheduledScan } from '../../src/scan/scheduledScan';
import { classifyFacts } from '../../src/classify/classifyGroup';
import { buildEngineContext } from '../../src/classify/engines/engineContext';
import { isWrittenBackBucket } from '../../src/classify/vocabulary';
import type { ClassifiedGroup, GroupChange } from '../../src/model';
import { startWorld, type World } from '../helpers/world';

let world: World;
let dir: string;
let stored: ClassifiedGroup[];
let scanId: string;

beforeAll(async () => {
  world = await startWorld({ emulator: { groups: 300, seed: 33 } });
  dir = mkdtempSync(join(tmpdir(), 'wbw-whatif-'));
  const outcome = await runScheduledScan(world.services, { trigger: 'cli' });
  if (outcome.status !== 'complete') throw new Error(`scan did not complete: ${outcome.status}`);
  scanId = outcome.scan.id;
  stored = [];
  for await (const group of world.services.snapshots.readGroups(outcome.scan)) stored.push(group);
});

afterAll(async () => {
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const readLines = (file: string): GroupChange[] =>
  readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as GroupChange);

describe('whatif', () => {
  it('lists, as diff changes, exactly the groups whose bucket or target differs under Connect Sync v1', async () => {
    const out = join(dir, 'v1.jsonl');
    expect(await whatifCommand(['--scan', scanId, '--engines', 'connectSyncV1,cloudSync', '--out', out], world.services)).toBe(0);
    const lines = readLines(out);
    const v1 = buildEngineContext(['connectSyncV1', 'cloudSync'], null);
    const expected = stored.filter((group) => {
      const after = classifyFacts(group, v1);
      return after.bucket !== group.bucket || after.effectiveTargetType !== group.effectiveTargetType;
    });
    expect(lines.map((change) => change.groupId).sort()).toEqual(expected.map((group) => group.id).sort());
    expect(lines.length).toBeGreaterThan(0);
    for (const change of lines) {
      expect(change.types.some((type) => type === 'bucketChanged' || type === 'targetChanged')).toBe(true);
      expect(change.before?.engines.connectSyncV2).toBeDefined();
      expect(change.after?.engines.connectSyncV1).toBeDefined();
    }
    // The scan's own count of groups v1 would newly write back agrees with the what-if.
    const scan = await world.services.scans.resolve(world.settings.tenantId, scanId);
    const newly = lines.filter((change) => !isWrittenBackBucket(change.before!.bucket) && isWrittenBackBucket(change.after!.bucket));
    expect(scan.counts.newlyWrittenBackUnderV1).toBe(newly.length);
    expect(scan.counts.engines).toEqual(['connectSyncV2', 'cloudSync']);
  });

  it('finds nothing to change under the engines the scan assumed', async () => {
    const out = join(dir, 'same.jsonl');
    await whatifCommand(['--scan', 'latest', '--engines', 'cloudSync,connectSyncV2', '--out', out], world.services);
    expect(readLines(out)).toEqual([]);
  });

  it('writes a workbook laid out like the diff report', async () => {
    const out = join(dir, 'none.xlsx');
    await whatifCommand(['--scan', scanId, '--engines', 'none', '--format', 'xlsx', '--out', out], world.services);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    const writtenBack = stored.filter((group) => isWrittenBackBucket(group.bucket)).length;
    expect(book.getWorksheet('Changes')?.actualRowCount).toBe(writtenBack + 1);
    const summary = book.getWorksheet('Summary')!;
    const values: string[] = [];
    summary.eachRow((row) => values.push(row.values!.toString()));
    expect(values.some((line) => line.includes('Writeback engines assumed') && line.includes('connectSyncV2,cloudSync') && line.includes('none'))).toBe(true);
  });

  it('refuses an engine list it cannot use, saying what is allowed', async () => {
    await expect(whatifCommand(['--scan', scanId, '--engines', 'connectSyncV1,connectSyncV2'], world.services)).rejects.toThrow(/exclude each other/);
    await expect(whatifCommand(['--scan', scanId, '--engines', 'cloudsink'], world.services)).rejects.toThrow(/"cloudsink" is not an engine/);
    await expect(whatifCommand(['--scan', scanId], world.services)).rejects.toThrow(/engines is missing/);
  });
});
