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
  FW_ERR_INSUFFICIENT_SCOPE: { status: 403, description: 'The API key lacks the scope this route requires.' },
  FW_ERR_API_KEY_REVOKED: { status: 401, description: 'The API key was revoked or rotated out.' },
  // Sessions and placement
  FW_ERR_SESSION_NOT_FOUND: { status: 404, description: 'No session with this id exists.' },
  FW_ERR_SESSION_ENDED: { status: 410, description: 'The session has ended.' },
  FW_ERR_INVALID_STATE: { status: 409, description: 'The request does not fit the current state of the session.' },
  FW_ERR_NO_CAPACITY: { status: 503, description: 'No healthy node has a free slot for this session.' },
  FW_ERR_NO_NODE_IN_BUDGET: {
    status: 503,
    description:
      'No free node was measured (or, where the player cannot probe, predicted) within the latency budget; details carry the best alternative.',
  },
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
  FW_ERR_MEDIA_MALFORMED: {
    status: 400,
    description: 'An RTP/RTCP packet could not be parsed or failed SRTP authentication; it was dropped and counted.',
  },
  FW_ERR_MEDIA_RATE_LIMITED: {
    status: 429,
    description:
      'Retransmission or keyframe requests beyond their budget (a peer NACKing everything, a PLI flood); the excess was dropped.',
  },
  FW_ERR_KEYFRAME_IGNORED: {
    status: 502,
    description:
      'The encoder did not answer keyframe requests with a keyframe; the gateway backs off and the stream recovers at the next periodic keyframe.',
  },
  // Input
  FW_ERR_INPUT_MALFORMED: { status: 400, description: 'An input message is truncated or has an invalid field.' },
  FW_ERR_INPUT_TOO_LARGE: { status: 413, description: 'An input message exceeds the input size limit.' },
  FW_ERR_INPUT_UNKNOWN_EVENT: {
    status: 400,
    description: 'An input message holds an event type this version does not know.',
  },
  FW_ERR_INPUT_UNSUPPORTED: {
    status: 501,
    description: 'The node cannot inject this kind of input (e.g. gamepads without a writable /dev/uinput).',
  },
  // Studio REST API
  FW_ERR_INVALID_REQUEST: {
    status: 400,
    description: 'The request body, query or path parameters do not match the route schema.',
  },
  FW_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The request body is not application/json.' },
  FW_ERR_NOT_FOUND: { status: 404, description: 'No such route, or no resource of this kind with this id.' },
  FW_ERR_TITLE_NOT_FOUND: { status: 404, description: 'No title with this id exists for this studio.' },
  FW_ERR_TITLE_ARCHIVED: { status: 409, description: 'The title is archived and starts no new sessions.' },
  FW_ERR_REGION_NOT_ALLOWED: { status: 400, description: "The requested region is not one of the title's regions." },
  FW_ERR_IDEMPOTENCY_CONFLICT: {
    status: 409,
    description: 'The Idempotency-Key was used with a different request, or that request is still running.',
  },
  // QoS ledger and settlement chain
  FW_ERR_QOS_SIGNATURE_INVALID: {
    status: 401,
    description:
      "A QoS report's or key binding's EIP-712 signature is invalid or not from the key bound to the session.",
  },
  FW_ERR_QOS_KEY_NOT_BOUND: {
    status: 409,
    description:
      'No QoS key is bound for this reporter yet (player: send QosBindKey; agent: register with an identity).',
  },
  FW_ERR_QOS_REPORT_INVALID: {
    status: 422,
    description: 'A QoS report is for another session or node, a minute that is not open, or has impossible values.',
  },
  FW_ERR_QOS_REPORT_DUPLICATE: {
    status: 409,
    description: 'A QoS report for this side and minute was already stored.',
  },
  FW_ERR_CHAIN_UNAVAILABLE: { status: 503, description: 'The settlement chain did not answer; the work stays queued.' },
  FW_ERR_CHAIN_REVERTED: {
    status: 502,
    description: 'A settlement chain transaction reverted; the work stays queued.',
  },
  // Generic
  FW_ERR_INTERNAL: { status: 500, description: 'An unexpected internal error.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ErrorCodes;

export const errorCodeList = Object.keys(ErrorCodes) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ErrorCodes, value);
}
