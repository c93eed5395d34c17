/** Links an alert carries back into the app; none without PUBLIC_BASE_URL. */
import type { AlertCandidate } from '../candidate';

export interface AlertLinks {
  /** The Excel diff report of the two scans the alert compares. */
  diffReport: string | null;
}

export function alertLinks(alert: Pick<AlertCandidate, 'fromScanId' | 'toScanId'>, publicBaseUrl: string | null): AlertLinks {
  const base = publicBaseUrl?.replace(/\/+$/, '') ?? null;
  const diffReport =
    base && alert.fromScanId && alert.toScanId
      ? `${base}/api/diff/report.xlsx?from=${encodeURIComponent(alert.fromScanId)}&to=${encodeURIComponent(alert.toScanId)}`
      : null;
  return { diffReport };
}
