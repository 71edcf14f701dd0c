/**
 * The gateway's terminal-facing HTTP API. Every body is JSON; every refusal is
 * `{ code, message, requestId, retryable, details? }` with a catalogue code. After enrolment,
 * requests carry the request-signature headers (request-auth.ts) unless a client certificate
 * authenticates the connection.
 *
 * - POST ENROL: EnrolmentRequest → EnrolmentResponse (201). ENROLMENT_TOKEN_INVALID on an unknown,
 *   used or expired token.
 * - POST BATCHES: Batch → Receipt (200), only after commit. Keyed by (terminalId, batchSequence):
 *   the same batch again answers the stored receipt with `replayed: true`; different content under
 *   a used batch sequence is BATCH_SEQUENCE_CONFLICT (409). A bad batch or record MAC, broken
 *   totals or chain: 4xx, nothing written. 503 and 429 are retryable.
 * - POST TRANSACTIONS: one TransactionRecord from an online terminal → SingleReceipt.
 * - GET HOTLIST?since=N: HotlistResponse (delta or full).
 * - GET FARES, GET CONFIG: FareSetsResponse, OperatorConfigResponse; ETag / If-None-Match → 304.
 * - GET TIME: TimeResponse.
 */
export const PROTOCOL_PATHS = {
  enrol: '/v1/terminals/enrol',
  batches: '/v1/batches',
  transactions: '/v1/transactions',
  hotlist: '/v1/hotlist',
  fares: '/v1/fares',
  config: '/v1/config',
  time: '/v1/time',
} as const;

export function hotlistPath(since: number): string {
  return `${PROTOCOL_PATHS.hotlist}?since=${since}`;
}
