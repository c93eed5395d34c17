/**
 * Download file names for reports. They end up in a Content-Disposition header and on users' disks, so only
 * [A-Za-z0-9._-] is kept: no quotes, separators or control characters can reach either.
 */

const MAX_ID_CHARS = 64;

/** `value` reduced to a safe file name part: other characters become `-`, runs of dots collapse. */
export function safeFileNamePart(value: string): string {
  const part = value
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, MAX_ID_CHARS)
    .replace(/[.-]+$/, '');
  return part === '' ? 'unknown' : part;
}

export function scanReportFileName(scanId: string): string {
  return `writeback-scan-${safeFileNamePart(scanId)}.xlsx`;
}

export function diffReportFileName(fromScanId: string, toScanId: string): string {
  return `writeback-diff-${safeFileNamePart(fromScanId)}-to-${safeFileNamePart(toScanId)}.xlsx`;
}
