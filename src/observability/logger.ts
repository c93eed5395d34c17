/** Minimal logger the Functions context, the CLI and tests can all provide. Never pass secrets or tokens. */
export interface Logger {
  info(message: string, properties?: Record<string, unknown>): void;
  warn(message: string, properties?: Record<string, unknown>): void;
  error(message: string, properties?: Record<string, unknown>): void;
}

export const consoleLogger: Logger = {
  info: (message, properties) => console.log(properties ? `${message} ${JSON.stringify(properties)}` : message),
  warn: (message, properties) => console.warn(properties ? `${message} ${JSON.stringify(properties)}` : message),
  error: (message, properties) => console.error(properties ? `${message} ${JSON.stringify(properties)}` : message),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Marker of the one structured line per scan; docs/queries/*.kql searches for it. */
export const SCAN_SUMMARY_MARKER = 'WritebackWatchScanSummary';

export interface ScanSummaryLine {
  scanId: string;
  tenantId: string;
  outcome: 'complete' | 'failed' | 'paused';
  trigger: string;
  durationMs: number;
  pages: number;
  retries: number;
  groups: number;
  writtenBack: number;
  legacyDefault: number;
  notWrittenBack: number;
  resumes: number;
  /** What the scan read of Cloud Sync (null: not read yet, or a scan stored before it was). */
  cloudSync: 'read' | 'notConfigured' | 'unknown' | null;
  /** Optional Graph permissions whose absence left something unknown (e.g. Synchronization.Read.All). */
  missingPermissions: string[];
  error: string | null;
}

export function logScanSummary(log: Logger, line: ScanSummaryLine): void {
  const write = line.outcome === 'failed' ? log.error : log.info;
  write(`${SCAN_SUMMARY_MARKER} ${JSON.stringify(line)}`);
}
