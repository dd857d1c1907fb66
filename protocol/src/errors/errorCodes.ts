/**
 * Every error code that crosses a process boundary. The key is the stable code
 * sent on the wire; `status` is the HTTP status used at the REST edge.
 * Grouped by subsystem; never reuse or renumber a code, only add.
 */
export const ErrorCodes = {
  // Signaling and messages
  FW_ERR_BAD_MESSAGE: { status: 400, description: 'The message is not a valid JSON envelope { t, id?, p }.' },
  FW_ERR_UNKNOWN_MESSAGE_TYPE: {
    status: 400,
    description: 'The envelope names a message type this peer does not know.',
  },
  FW_ERR_INVALID_PAYLOAD: { status: 400, description: 'The message payload does not match the schema of its type.' },
  FW_ERR_MESSAGE_TOO_LARGE: { status: 413, description: 'The message exceeds the size limit of its channel.' },
  FW_ERR_UNEXPECTED_MESSAGE: {
    status: 409,
    description: 'The message type is not allowed in this direction or connection state.',
  },
  FW_ERR_TIMEOUT: { status: 504, description: 'No reply arrived within the request deadline.' },
  FW_ERR_CONNECTION_CLOSED: { status: 503, description: 'The connection closed before the request was answered.' },
  FW_ERR_RATE_LIMITED: { status: 429, description: 'Too many requests or messages; slow down.' },
  // Authentication
  FW_ERR_UNAUTHORIZED: { status: 401, description: 'Missing, malformed or forged credentials.' },
  FW_ERR_TOKEN_EXPIRED: { status: 401, description: 'The token was valid but has expired.' },
  FW_ERR_FORBIDDEN: { status: 403, description: 'The credentials are valid but do not allow this action.' },
  // Sessions and placement
  FW_ERR_SESSION_NOT_FOUND: { status: 404, description: 'No session with this id exists.' },
  FW_ERR_SESSION_ENDED: { status: 410, description: 'The session has ended.' },
  FW_ERR_INVALID_STATE: { status: 409, description: 'The request does not fit the current state of the session.' },
  FW_ERR_NO_CAPACITY: { status: 503, description: 'No healthy node has a free slot for this session.' },
  FW_ERR_NO_NODE_IN_BUDGET: { status: 503, description: 'No node is predicted within the latency budget.' },
  FW_ERR_AGENT_UNAVAILABLE: {
    status: 502,
    description: 'The edge agent hosting the session is gone or not answering.',
  },
  // Media
  FW_ERR_MEDIA_NEGOTIATION_FAILED: {
    status: 400,
    description: 'The WebRTC offer could not be answered (no common codec, bad SDP).',
  },
  FW_ERR_ENCODER_UNAVAILABLE: {
    status: 500,
    description: 'No usable encoder (ffmpeg missing or no codec) on the node.',
  },
  FW_ERR_RUNTIME_FAILED: { status: 500, description: 'The session runtime failed to start or exited.' },
  FW_ERR_UNSUPPORTED_RUNTIME: { status: 400, description: 'The node does not offer the requested runtime.' },
  // Input
  FW_ERR_INPUT_MALFORMED: { status: 400, description: 'An input message is truncated or has an invalid field.' },
  FW_ERR_INPUT_TOO_LARGE: { status: 413, description: 'An input message exceeds the input size limit.' },
  FW_ERR_INPUT_UNKNOWN_EVENT: {
    status: 400,
    description: 'An input message holds an event type this version does not know.',
  },
  // Generic
  FW_ERR_INTERNAL: { status: 500, description: 'An unexpected internal error.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ErrorCodes;

export const errorCodeList = Object.keys(ErrorCodes) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value);
}
