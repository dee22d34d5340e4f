/**
 * Chirp's one error vocabulary. Every error a client can see has a stable `code`, an HTTP
 * status and a title; `problem.ts` beside it renders them as RFC 9457 problem details. It
 * lives in app/http, the layer below every folder that throws one, as each is an HTTP answer.
 */
export const ERROR_CODES = {
  validation_failed: { status: 400, title: 'Validation failed' },
  malformed_request: { status: 400, title: 'Malformed HTTP request' },
  malformed_json: { status: 400, title: 'Malformed JSON body' },
  invalid_token: { status: 400, title: 'Invalid or expired token' },
  cannot_follow_self: { status: 400, title: 'You cannot follow yourself' },
  cannot_block_self: { status: 400, title: 'You cannot block yourself' },
  cannot_mute_self: { status: 400, title: 'You cannot mute yourself' },
  cannot_suspend_self: { status: 400, title: 'You cannot suspend yourself' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  invalid_credentials: { status: 401, title: 'Invalid credentials' },
  forbidden: { status: 403, title: 'Forbidden' },
  blocked: { status: 403, title: 'Refused because of a block' },
  suspended: { status: 403, title: 'Account suspended' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  username_taken: { status: 409, title: 'Username already taken' },
  email_taken: { status: 409, title: 'Email already registered' },
  limit_reached: { status: 409, title: 'Limit reached' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  request_header_too_large: { status: 431, title: 'Request header fields too large' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem with one input field, as listed in a `validation_failed` answer. */
export interface FieldError {
  /** Where the value came from and its path, e.g. `body.username` or `query.limit`. */
  field: string;
  message: string;
}

/** An error meant for the client: rendered with its status, code and detail. */
export class AppError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? ERROR_CODES[code].title);
    this.name = 'AppError';
    this.status = ERROR_CODES[code].status;
    this.title = ERROR_CODES[code].title;
  }
}

export const notFound = (what = 'resource') => new AppError('not_found', `No such ${what}.`);
export const unauthorized = (detail = 'A valid access token is required.') =>
  new AppError('unauthorized', detail);
export const forbidden = (detail = 'You may not do that.') => new AppError('forbidden', detail);

/**
 * A ranking that lives only in Redis (trending tags, popular tweets) cannot be read now:
 * Redis cannot be reached, or lost each snapshot made for the read before it was read.
 */
export const rankingUnavailable = (what: string) =>
  new AppError(
    'unavailable',
    `${what} are kept in Redis, which cannot serve them now. Try again shortly.`,
    undefined,
    { 'Retry-After': '5' },
  );
