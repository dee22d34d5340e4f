import type { paths } from './generated/openapi';
import type {
  HttpMethod,
  Operation,
  OptionsArgument,
  PathsWith,
  Problem,
  Schemas,
  SuccessBody,
} from './types';

/** An access and refresh token, as POST /auth/register, /auth/login and /auth/refresh answer. */
export type Tokens = Pick<Schemas['Session'], 'accessToken' | 'refreshToken'>;

/** An answer of Chirp outside 2xx: its problem details (RFC 9457) and stable `code`. */
export class ChirpApiError extends Error {
  readonly status: number;
  readonly code: Problem['code'];
  /** Which fields were invalid (`validation_failed`). */
  readonly errors: NonNullable<Problem['errors']>;
  /** Seconds to wait before trying again (429 and 503 answers' Retry-After). */
  readonly retryAfter: number | undefined;

  constructor(
    readonly problem: Problem,
    retryAfter?: number,
  ) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = 'ChirpApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.errors = problem.errors ?? [];
    this.retryAfter = retryAfter;
  }

  /** The error of an answer outside 2xx, whatever its body (a proxy's HTML page included). */
  static async of(response: Response): Promise<ChirpApiError> {
    const text = await response.text();
    let problem: Problem | undefined;
    try {
      const parsed = JSON.parse(text) as Partial<Problem>;
      if (typeof parsed.code === 'string')
        problem = { ...parsed, status: response.status } as Problem;
    } catch {
      // Not JSON: described below from the status alone.
    }
    const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
    return new ChirpApiError(
      problem ?? {
        type: 'about:blank',
        title: response.statusText,
        status: response.status,
        detail: text.slice(0, 200),
        code: `http_${response.status}`,
      },
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  }
}

export interface ChirpClientOptions {
  /** Where Chirp answers, e.g. `http://localhost:3000` (REST and Socket.IO alike). */
  baseUrl: string;
  /** A session kept from before (e.g. from storage). */
  tokens?: Tokens | null;
  /** Called whenever the tokens change (a sign-in, a refresh) or end (`null`): store them. */
  onTokens?: (tokens: Tokens | null) => void;
  fetch?: typeof fetch;
}

/** A call's options as sent, whichever the operation. */
interface Sent {
  params?: object;
  query?: object;
  body?: unknown;
  signal?: AbortSignal;
  anonymous?: boolean;
}

type Call<M extends HttpMethod> = <P extends PathsWith<M>>(
  path: P,
  ...options: OptionsArgument<Operation<P, M>>
) => Promise<SuccessBody<Operation<P, M>>>;

/**
 * Chirp's REST API typed from its OpenAPI document: `client.get('/tweets/{id}', {params: {id}})`
 * answers a `Tweet`; an answer outside 2xx throws a {@link ChirpApiError}. Signed in (after
 * {@link useTokens}), calls carry the access token, and one refused as expired or revoked is
 * refreshed (POST /auth/refresh, once for concurrent calls) and the call tried again.
 */
export class ChirpClient {
  readonly baseUrl: string;
  private current: Tokens | null;
  private refreshing: Promise<Tokens> | undefined;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ChirpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.current = options.tokens ?? null;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get tokens(): Tokens | null {
    return this.current;
  }

  /** Signs in with the tokens of an answer (register, login, refresh), or signs out (`null`). */
  useTokens(tokens: Tokens | null): void {
    this.current = tokens && { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
    this.options.onTokens?.(this.current);
  }

  readonly get: Call<'get'> = (path, ...options) => this.request('get', path, ...options);
  readonly post: Call<'post'> = (path, ...options) => this.request('post', path, ...options);
  readonly put: Call<'put'> = (path, ...options) => this.request('put', path, ...options);
  readonly patch: Call<'patch'> = (path, ...options) => this.request('patch', path, ...options);
  readonly delete: Call<'delete'> = (path, ...options) => this.request('delete', path, ...options);

  /** Calls `method path`; the shorthands above are this with the method fixed. */
  async request<M extends HttpMethod, P extends PathsWith<M>>(
    method: M,
    path: P,
    ...[options]: OptionsArgument<Operation<P, M>>
  ): Promise<SuccessBody<Operation<P, M>>> {
    // Checked against the operation by the signature; what send() reads of it.
    const call = (options ?? {}) as Sent;
    const token = call.anonymous ? undefined : this.current?.accessToken;
    let response = await this.send(method, path, call, token);
    if (response.status === 401 && token && this.current?.refreshToken) {
      const error = await ChirpApiError.of(response);
      // invalid_credentials (a wrong password) is not about the token: no refresh for it.
      if (error.code !== 'unauthorized') throw error;
      // Another call may have refreshed meanwhile: then its tokens are tried, not a new pair.
      if (this.current.accessToken === token) await this.refresh();
      response = await this.send(method, path, call, this.current?.accessToken);
    }
    if (!response.ok) throw await ChirpApiError.of(response);
    return (await bodyOf(response)) as SuccessBody<Operation<P, M>>;
  }

  /**
   * Exchanges the refresh token for a new pair (POST /auth/refresh); concurrent callers share
   * one exchange, since a refresh token is single use. When Chirp refuses it (the session
   * ended: logged out, reset, suspended, past its maximum age) the client is signed out.
   */
  refresh(): Promise<Tokens> {
    this.refreshing ??= this.exchange().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async exchange(): Promise<Tokens> {
    const refreshToken = this.current?.refreshToken;
    if (!refreshToken) throw new Error('Not signed in: there is no refresh token to exchange');
    try {
      const session = await this.post('/auth/refresh', { body: { refreshToken }, anonymous: true });
      this.useTokens(session);
      return session;
    } catch (error) {
      if (error instanceof ChirpApiError && (error.status === 401 || error.status === 403)) {
        this.useTokens(null);
      }
      throw error;
    }
  }

  private send(
    method: HttpMethod,
    path: keyof paths,
    { params, query, body, signal }: Sent,
    token: string | undefined,
  ): Promise<Response> {
    const url = new URL(this.baseUrl + fillPath(path, params));
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return this.fetch(url, {
      method: method.toUpperCase(),
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  }
}

/** `/users/{id}` with `{id: '7'}` → `/users/7` (each value URL-encoded). */
function fillPath(path: string, params: object = {}): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    // The generated types declare every path parameter a string.
    const value = (params as Record<string, string | undefined>)[name];
    if (value === undefined) throw new Error(`${path}: the path parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  return /[/+]json\b/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
}
