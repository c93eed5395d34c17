/** How reports show the writeback engines and their per-group verdicts (docs/classification.md, "Engines"). */
import type { EngineVerdict, EngineVerdicts, WritebackEngine } from '../model';
import { text, type ReportCell } from './cells';
import type { ColumnSpec } from './streamingWorkbook';

export const ENGINE_NAMES: Record<WritebackEngine, string> = {
  connectSyncV2: 'Connect Sync group writeback v2',
  connectSyncV1: 'Connect Sync group writeback v1',
  cloudSync: 'Cloud Sync group provisioning',
};

export { enginesOf } from '../classify/engines/engineContext';

/** `connectSyncV2,cloudSync` (the WRITEBACK_ENGINES spelling), or `none`. */
export function engineListText(engines: readonly WritebackEngine[]): string {
  return engines.length === 0 ? 'none' : engines.join(',');
}

export function engineNamesText(engines: readonly WritebackEngine[]): string {
  return engines.length === 0 ? 'none (no engine assumed)' : engines.map((engine) => ENGINE_NAMES[engine]).join(', ');
}

/** `writtenBack as universalSecurityGroup (cloudSyncProvisioned)`; empty when the engine was not assumed. */
export function engineVerdictText(verdict: EngineVerdict | undefined): string | null {
  if (verdict === undefined) return null;
  return `${verdict.verdict}${verdict.targetType ? ` as ${verdict.targetType}` : ''} (${verdict.reason})`;
}

/** Every engine's verdict on one line, for sheets that show before and after side by side. */
export function engineVerdictsText(engines: EngineVerdicts): string {
  return (Object.entries(engines) as [WritebackEngine, EngineVerdict][])
    .map(([engine, verdict]) => `${engine}: ${engineVerdictText(verdict)}${verdict.domain ? ` in ${verdict.domain}` : ''}${verdict.container ? ` at ${verdict.container}` : ''}`)
    .join('; ');
}

export const ENGINE_COLUMNS: readonly ColumnSpec[] = [
  { header: 'Connect Sync v2 verdict', width: 36 },
  { header: 'Connect Sync v1 verdict', width: 36 },
  { header: 'Cloud Sync verdict', width: 36 },
  { header: 'Cloud Sync domain', width: 24 },
  { header: 'Cloud Sync container', width: 40 },
  { header: 'Cloud Sync detail', width: 60 },
];

/** Cells for ENGINE_COLUMNS. */
export function engineCells(engines: EngineVerdicts): ReportCell[] {
  const cloudSync = engines.cloudSync;
  return [
    text(engineVerdictText(engines.connectSyncV2)),
    text(engineVerdictText(engines.connectSyncV1)),
    text(engineVerdictText(cloudSync)),
    text(cloudSync?.domain ?? null),
    text(cloudSync?.container ?? null),
    text(cloudSync?.detail ?? null),
  ];
}
