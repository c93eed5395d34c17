/**
 * docs/queries/failed-and-missed-scans.kql reads the summary line the app really writes: same marker,
 * and every field it reads is in the logged JSON.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTING_SPECS } from '../../src/config/settings';
import { SCAN_SUMMARY_MARKER, logScanSummary, type Logger, type ScanSummaryLine } from '../../src/observability/logger';
import { REPO_ROOT } from './bicepCli';

const QUERY = readFileSync(join(REPO_ROOT, 'docs', 'queries', 'failed-and-missed-scans.kql'), 'utf8');

function logged(line: ScanSummaryLine): { level: keyof Logger; message: string }[] {
  const lines: { level: keyof Logger; message: string }[] = [];
  const capture: Logger = {
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
  };
  logScanSummary(capture, line);
  return lines;
}

const FAILED: ScanSummaryLine = {
  scanId: '20250101T020000Z-ab12',
  tenantId: '8d1f6b57-0c3a-4b8e-9f27-5a6e2c4d1b90',
  outcome: 'failed',
  trigger: 'timer',
  durationMs: 1234,
  pages: 3,
  retries: 2,
  groups: 2500,
  writtenBack: 10,
  legacyDefault: 5,
  notWrittenBack: 2485,
  resumes: 0,
  cloudSync: 'unknown',
  missingPermissions: ['Synchronization.Read.All'],
  error: 'GraphRetryBudgetExhausted',
};

describe('docs/queries/failed-and-missed-scans.kql', () => {
  it('looks for the marker the app writes, followed by one space', () => {
    const prefix = /let prefix = "([^"]*)";/.exec(QUERY)?.[1];
    expect(prefix).toBe(`${SCAN_SUMMARY_MARKER} `);
    const [line] = logged(FAILED);
    expect(line!.message.startsWith(prefix!)).toBe(true);
  });

  it('reads only fields that the logged JSON holds, and the outcomes the app logs', () => {
    const [line] = logged(FAILED);
    const json = JSON.parse(line!.message.slice(SCAN_SUMMARY_MARKER.length + 1)) as Record<string, unknown>;
    const read = [...QUERY.matchAll(/\bsummary\.(\w+)/g)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(0);
    for (const field of read) expect(Object.keys(json), field).toContain(field);
    for (const outcome of QUERY.matchAll(/outcome == "(\w+)"/g)) {
      expect(['complete', 'failed', 'paused']).toContain(outcome[1]);
    }
  });

  it('keeps the missed-scan threshold on the line the alert rewrites, at the code\'s default', () => {
    const spec = SETTING_SPECS.find((s) => s.name === 'ALERT_MISSED_SCAN_HOURS')!;
    expect(QUERY).toContain(`let missedScanHours = ${spec.default}h;`);
  });
});
