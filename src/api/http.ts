/**
 * Framework-neutral request/response shapes for the HTTP API. functions/ translates the Functions types to
 * these and back; the same handlers serve Azure, `func start` and the local host. Errors map to status codes
 * in one place and never leak a stack trace.
 */
import type { Readable } from 'node:stream';
import { WritebackWatchError, type ErrorCode } from '../errors';
import type { Logger } from '../observability/logger';
import type { Principal } from '../auth/principal';

export interface ApiRequest {
  method: string;
  params: Record<string, string | undefined>;
  query: URLSearchParams;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
  /**
   * The signed-in caller, set only on console routes when App Service Authentication is on (or by the local
   * host's sign-in); null on function-key routes.
   */
  principal?: Principal | null;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  jsonBody?: unknown;
  body?: string | Readable;
}

const STATUS: Record<ErrorCode, number> = {
  InvalidInput: 400,
  ConfigurationError: 500,
  NotFound: 404,
  Conflict: 409,
  ScanNotComplete: 409,
  GraphRequestFailed: 502,
  GraphRetryBudgetExhausted: 503,
  // The scan falls back to a full scan on both; should one ever reach a caller: Graph refused the token
  // (upstream, as any Graph refusal), or the stored scans do not allow a delta round (a state conflict).
  GraphDeltaTokenExpired: 502,
  DeltaUnavailable: 409,
  StorageFailed: 503,
  EntityTooLarge: 500,
  ScanInterrupted: 409,
  Unauthenticated: 401,
  Forbidden: 403,
};

export function errorResponse(error: unknown, log?: Logger): ApiResponse {
  if (error instanceof WritebackWatchError) {
    const status = STATUS[error.code];
    if (status >= 500) log?.error(`API error ${error.code}: ${error.message}`);
    return { status, jsonBody: { error: { code: error.code, message: error.message } } };
  }
  const statusCode = (error as { statusCode?: number }).statusCode;
  log?.error(`Unexpected API error: ${error instanceof Error ? error.message : String(error)}`);
  if (statusCode === 503 || statusCode === 500 || (error as { code?: string }).code === 'ECONNREFUSED') {
    return { status: 503, jsonBody: { error: { code: 'StorageFailed', message: 'Table Storage did not answer; try again in a minute.' } } };
  }
  return { status: 500, jsonBody: { error: { code: 'InternalError', message: 'Something unexpected failed; the app log has the details.' } } };
}

export function invalid(message: string): WritebackWatchError {
  return new WritebackWatchError('InvalidInput', message);
}

/** Reads one query parameter that must be one of a fixed list (whitelisted, so it can never reach a query raw). */
export function enumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[]): T | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!match) throw invalid(`Query parameter ${name}="${value.slice(0, 40)}" is not valid; use one of: ${allowed.join(', ')}.`);
  return match;
}

export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw invalid(`Query parameter ${name}="${value.slice(0, 40)}" must be a whole number from ${min} to ${max}.`);
  }
  return Number(value);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertGroupId(value: string | undefined): string {
  if (!value || !GUID.test(value)) {
    throw invalid(`"${(value ?? '').slice(0, 60)}" is not a group id; group ids are GUIDs like 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0.`);
  }
  return value.toLowerCase();
}

export function attachment(fileName: string): Record<string, string> {
  return {
    'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'Content-Disposition': `attachment; filename="${fileName}"`,
    'Cache-Control': 'no-store',
  };
}
