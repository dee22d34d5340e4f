import type { components, paths } from './generated/openapi';

/**
 * What a call of each operation takes and answers, read from the generated `paths` type: the
 * path parameters, query and JSON body the document declares, and the body of its 2xx
 * answers. Nothing here is written per operation.
 */

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The paths that answer `M`. */
export type PathsWith<M extends HttpMethod> = {
  [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never;
}[keyof paths];

/** The operation `M` on path `P`. */
export type Operation<P extends keyof paths, M extends HttpMethod> = paths[P] extends {
  [K in M]: infer Op;
}
  ? Op
  : never;

type ParametersOf<Op> = Op extends { parameters: infer Declared } ? Declared : never;

type PathOption<Op> =
  ParametersOf<Op> extends { path: infer Params } ? { params: Params } : { params?: never };

type QueryOption<Op> =
  ParametersOf<Op> extends { query: infer Query }
    ? { query: Query } // a required query parameter (e.g. search's q)
    : ParametersOf<Op> extends { query?: infer Query }
      ? [Query] extends [never]
        ? { query?: never }
        : { query?: Query }
      : { query?: never };

type BodyOption<Op> = Op extends { requestBody?: never }
  ? { body?: never }
  : Op extends { requestBody: { content: { 'application/json': infer Body } } }
    ? { body: Body }
    : Op extends { requestBody?: { content: { 'application/json': infer Body } } }
      ? { body?: Body }
      : { body?: never };

/** The options of a call: `params`, `query` and `body` as the operation declares them. */
export type RequestOptions<Op> = PathOption<Op> &
  QueryOption<Op> &
  BodyOption<Op> & {
    signal?: AbortSignal;
    /** Send no access token even when signed in (the client's own refresh does this). */
    anonymous?: boolean;
  };

/** `[options]` when the operation needs some, `[options?]` when it needs none. */
export type OptionsArgument<Op> =
  Record<string, never> extends RequestOptions<Op>
    ? [options?: RequestOptions<Op>]
    : [options: RequestOptions<Op>];

type Responses<Op> = Op extends { responses: infer Declared } ? Declared : never;

/** What a 2xx answer carries: its JSON (or text) body, `undefined` when it has none. */
export type SuccessBody<Op> = {
  [Status in keyof Responses<Op>]: `${Status & number}` extends `2${string}`
    ? Responses<Op>[Status] extends { content: infer Content }
      ? Content[keyof Content]
      : undefined
    : never;
}[keyof Responses<Op>];
