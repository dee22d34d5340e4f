/**
 * The bench's load generator, a process of its own (so it never shares an event loop with a
 * server it measures). Started once by `npm run bench`; over IPC it takes one `LoadSpec` at a
 * time, says `started` as autocannon begins (the bench samples CPU from there) and answers a
 * `LoadResult`.
 */
import autocannon from 'autocannon';

/** One autocannon run. `requests`, when given, are sent in turn, one per request. */
export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  /** Sent with every request (a reader's bearer token, say). */
  headers?: Record<string, string>;
  /** Each request's path and bearer token, taken in turn: distinct writes by many users. */
  requests?: { path: string; token: string }[];
  /** `requests` may start over when they run out (else that fails the run: writes repeated). */
  repeat?: boolean;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  /** Requests answered per second over the run (its answers / its length). */
  rps: number;
  total: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
  /** True when `requests` ran out and started over (later ones repeated earlier writes). */
  wrapped: boolean;
}

export type GeneratorMessage =
  { type: 'started' } | { type: 'result'; result: LoadResult } | { type: 'failed'; error: string };

async function run(spec: LoadSpec): Promise<LoadResult> {
  const list = spec.requests;
  let turn = 0;
  let wrapped = false;
  const instance = autocannon({
    url: spec.url,
    method: spec.method ?? 'GET',
    connections: spec.connections,
    duration: spec.seconds,
    headers: { 'content-type': 'application/json', ...spec.headers },
    body: spec.body,
    requests: list
      ? [
          {
            setupRequest: (request) => {
              if (turn === list.length) wrapped = true;
              const { path, token } = list[turn++ % list.length];
              return {
                ...request,
                path,
                headers: { ...request.headers, authorization: `Bearer ${token}` },
              };
            },
          },
        ]
      : undefined,
  });
  process.send?.({ type: 'started' } satisfies GeneratorMessage);
  const result = await instance;
  return {
    rps: result.requests.total / result.duration,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    wrapped,
  };
}

// One run at a time, in the order asked.
let queue = Promise.resolve();
process.on('message', (spec: LoadSpec) => {
  queue = queue.then(async () => {
    const message: GeneratorMessage = await run(spec).then(
      (result) => ({ type: 'result', result }),
      (error: unknown) => ({ type: 'failed', error: String(error) }),
    );
    process.send?.(message);
  });
});
process.on('disconnect', () => process.exit(0));
process.send?.('ready');
