/**
 * The emulator's own error type. It deliberately shares nothing with the product's errors: the emulator stands
 * for Microsoft Graph, so a product assumption must never leak into it.
 */
export type EmulatorErrorCode = 'InvalidInput' | 'NotFound' | 'Conflict' | 'EntityTooLarge';

export class EmulatorError extends Error {
  readonly code: EmulatorErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: EmulatorErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'EmulatorError';
    this.code = code;
    this.details = details;
  }
}

export function isEmulatorError(error: unknown): error is EmulatorError {
  return error instanceof EmulatorError;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
