import { type ErrorCode, FramewayError } from '@frameway/protocol';

/** A FramewayError as is; anything else thrown becomes one with the `fallback` code, keeping it as the cause. */
export function toFramewayError(error: unknown, fallback: ErrorCode): FramewayError {
  if (error instanceof FramewayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FramewayError(fallback, message, undefined, { cause: error });
}
