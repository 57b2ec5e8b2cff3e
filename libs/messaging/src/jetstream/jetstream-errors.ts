/**
 * JetStream API errors carry a stable numeric `err_code` (the description text changes between
 * server versions), so decisions are taken on the number. The ones used here:
 */
export const JetStreamErrorCodes = {
  ConsumerNotFound: 10014,
  /** A stream message lookup (by sequence or subject) found none. */
  NoMessageFound: 10037,
  StreamNameInUse: 10058,
  StreamNotFound: 10059,
  /** A work-queue stream already has a consumer with this filter subject. */
  FilteredConsumerNotUnique: 10100,
} as const;

/** True when `error` is a JetStream API error, with the given `err_code` if one is passed. */
export function isJetStreamApiError(error: unknown, errCode?: number): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const apiError = (error as { api_error?: { err_code?: unknown } }).api_error;
  if (typeof apiError !== 'object' || apiError === null) return false;
  return errCode === undefined || apiError.err_code === errCode;
}

/** The message of anything thrown, for logs and dead-letter reasons. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
