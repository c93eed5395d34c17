/**
 * One error type for the product, in the style of the Azure SDK's RestError: a machine-readable `code`
 * plus a message that says what to do. The HTTP layer maps codes to status codes in one place. Errors of
 * the Graph layer carry Graph's status and code as typed fields (src/graph/graphError.ts).
 */
export type ErrorCode =
  | 'ConfigurationError'
  | 'InvalidInput'
  | 'NotFound'
  | 'Conflict'
  | 'ScanNotComplete'
  | 'GraphRequestFailed'
  | 'GraphRetryBudgetExhausted'
  /** Graph no longer knows a delta token (410 syncStateNotFound / resyncRequired): a full scan is needed. */
  | 'GraphDeltaTokenExpired'
  /** A delta scan cannot run this time (token expired, base scan gone, too many changes); a full scan runs. */
  | 'DeltaUnavailable'
  | 'StorageFailed'
  | 'EntityTooLarge'
  | 'ScanInterrupted'
  | 'Unauthenticated'
  | 'Forbidden';

export class WritebackWatchError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WritebackWatchError';
    this.code = code;
    this.details = details;
  }
}

export class ConfigurationError extends WritebackWatchError {
  readonly setting: string;
  constructor(message: string, setting: string) {
    super('ConfigurationError', message, { setting });
    this.name = 'ConfigurationError';
    this.setting = setting;
  }
}

export function isWritebackWatchError(error: unknown): error is WritebackWatchError {
  return error instanceof WritebackWatchError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
