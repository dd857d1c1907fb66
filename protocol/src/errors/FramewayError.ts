import { type ErrorCode, ErrorCodes } from './errorCodes.js';

/** An error with a stable wire code; what every Frameway boundary throws and sends. */
export class FramewayError extends Error {
  override readonly name = 'FramewayError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message ?? ErrorCodes[code].description, options);
    this.code = code;
    this.details = details;
  }

  /** The HTTP status for this code at the REST edge. */
  get status(): number {
    return ErrorCodes[this.code].status;
  }

  toJSON(): { code: ErrorCode; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isFramewayError(value: unknown): value is FramewayError {
  return value instanceof FramewayError;
}
