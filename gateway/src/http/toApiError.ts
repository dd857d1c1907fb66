import { FramewayError } from '@frameway/protocol';
import type { RestIssue } from '@frameway/protocol/rest';

/** What the valibot validator compiler attaches to the error Fastify raises on invalid input. */
export interface ValidationFailure extends Error {
  issues: RestIssue[];
  validationContext?: string;
}

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' };

/**
 * Maps anything thrown in the API (our FramewayErrors, Fastify's own errors,
 * validation failures, bugs) to the FramewayError the client receives.
 */
export function toApiError(error: unknown): FramewayError {
  if (error instanceof FramewayError) return error;
  const e = error as Partial<ValidationFailure> & { code?: string; statusCode?: number; message?: string };
  if (e?.code === 'FST_ERR_VALIDATION' || Array.isArray(e?.issues)) {
    const part = PART_NAMES[e.validationContext ?? ''] ?? e.validationContext ?? 'request';
    const issues = e.issues ?? [];
    const first = issues[0];
    const where = first?.path ? `${part}.${first.path}` : part;
    return new FramewayError(
      'FW_ERR_INVALID_REQUEST',
      first ? `${where}: ${first.message}` : `invalid ${part}`,
      { part, issues },
      { cause: error },
    );
  }
  switch (e?.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new FramewayError('FW_ERR_UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json', undefined, {
        cause: error,
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new FramewayError('FW_ERR_MESSAGE_TOO_LARGE', 'the request body is too large', undefined, {
        cause: error,
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new FramewayError(
        'FW_ERR_INVALID_REQUEST',
        'the body is not valid JSON',
        { part: 'body' },
        { cause: error },
      );
    default:
      break;
  }
  if (e?.statusCode === 404) return new FramewayError('FW_ERR_NOT_FOUND', 'not found', undefined, { cause: error });
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new FramewayError('FW_ERR_INVALID_REQUEST', e.message ?? 'bad request', undefined, { cause: error });
  }
  return new FramewayError('FW_ERR_INTERNAL', 'internal error', undefined, { cause: error });
}
