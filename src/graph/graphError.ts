/**
 * The error of the Graph layer, in the style of the Azure SDK's RestError: besides the product's `code`
 * (which the HTTP API maps to a status in one place), it carries what Graph answered as typed fields, so
 * callers decide on `statusCode === 404` rather than digging through a details bag.
 */
import { WritebackWatchError, type ErrorCode } from '../errors';

export type GraphErrorCode = Extract<ErrorCode, 'GraphRequestFailed' | 'GraphRetryBudgetExhausted' | 'GraphDeltaTokenExpired'>;

export interface GraphErrorFields {
  /**
   * The HTTP status of Graph's error answer; null when the failure was not one (no answer, a cut-off body,
   * an answer of the wrong shape, a link to a foreign host).
   */
  statusCode?: number | null;
  /** Graph's own `error.code` ("Authorization_RequestDenied", "syncStateNotFound"), or null. */
  graphCode?: string | null;
}

export class GraphRequestError extends WritebackWatchError {
  declare readonly code: GraphErrorCode;
  readonly statusCode: number | null;
  readonly graphCode: string | null;

  constructor(code: GraphErrorCode, message: string, fields: GraphErrorFields = {}, options?: { cause?: unknown }) {
    super(code, message, undefined, options);
    this.name = 'GraphRequestError';
    this.statusCode = fields.statusCode ?? null;
    this.graphCode = fields.graphCode ?? null;
  }
}

/** Graph answered with this HTTP status (403, 404, 410…). */
export function isGraphStatus(error: unknown, statusCode: number): error is GraphRequestError {
  return error instanceof GraphRequestError && error.statusCode === statusCode;
}
