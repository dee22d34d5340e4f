import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { BODY_LIMIT_BYTES } from '../../app/http/body';
import { DOCS_ASSETS } from '../../app/ops/docs';
import { type ApiNode, startApiNode } from '../helpers/apiNode';
import { CASES, type Call, type Fixtures, makeFixtures, NOWHERE } from './cases';

/**
 * Real answers of every operation of the served document, its success and each error it
 * declares, checked against the document's own response schemas by a generic JSON Schema
 * validator (ajv, draft 2020-12 as OpenAPI 3.1 uses), not by the zod schemas it came from.
 * The list of operations and statuses comes from the document: a declared status with no
 * request here that makes it fails, unless it is exempt below with its reason.
 */

interface ResponseObject {
  content?: Record<string, { schema?: object & { type?: string } }>;
}
interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
  responses: Record<string, ResponseObject>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: object;
}

/** A request as sent: a case's, or one made from it for a status of a kind. */
interface Sent extends Call {
  raw?: { type: string; body: string };
  /** Spend the caller's budget on the limited node first. */
  burn?: boolean;
}

const EXEMPT: Record<number, string> = {
  503:
    'answered only when MariaDB or Redis fail (a lock held past LOCK_WAIT_SECONDS, no free ' +
    'connection, a store away; /readyz: a dependency down), faults this test does not cause',
};

/** Path parameters that name nothing. */
const NOWHERE_PARAMS: Record<string, string> = { username: 'nobody_oas', asset: 'nope.js' };

const hasBearer = (op: Operation) => (op.security ?? []).some((s) => 'bearerAuth' in s);
const hasQuery = (op: Operation, name: string) =>
  (op.parameters ?? []).some((p) => p.in === 'query' && p.name === name);

/** The request that makes `status` of an operation, made from its success request. */
function madeFor(op: Operation, template: string, status: number, ok: Call): Sent | undefined {
  const body = op.requestBody !== undefined;
  switch (status) {
    case 400:
      if (body) return { ...ok, raw: { type: 'application/json', body: '{"unclosed": ' } };
      return hasQuery(op, 'limit') ? { ...ok, query: { ...ok.query, limit: '0' } } : undefined;
    case 401:
      return hasBearer(op) ? { ...ok, as: undefined } : undefined;
    case 404:
      if (!template.includes('{')) return undefined;
      return {
        ...ok,
        path: template.replace(/\{(\w+)\}/g, (_, n: string) => NOWHERE_PARAMS[n] ?? NOWHERE),
      };
    case 413: {
      const big = `{"pad":"${'a'.repeat(BODY_LIMIT_BYTES)}"}`;
      return body ? { ...ok, raw: { type: 'application/json', body: big } } : undefined;
    }
    case 415:
      return body ? { ...ok, raw: { type: 'text/plain', body: 'hello' } } : undefined;
    case 429:
      return { ...ok, node: 'limited', burn: true };
    case 431: // a head over Node's 16 KB: answered by the HTTP server before any route
      return { ...ok, query: { ...ok.query, pad: 'a'.repeat(20_000) } };
    default:
      return undefined;
  }
}

interface Answer {
  status: number;
  mediaType: string;
  bytes: Buffer;
}

describe('every operation answers as the OpenAPI document declares (ajv over real answers)', function () {
  this.timeout(120_000);
  let main: ApiNode;
  let limited: ApiNode;
  let document: Document;
  let fixtures: Fixtures;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const validators = new Map<object, ValidateFunction>();

  before(async () => {
    // Both nodes count in the same Redis keys (`rl:api:ip:…`, `rl:api:u:…`), and a key lives
    // as long as the window of the node that made it: with the suite's 1 s window on the main
    // node, a key it made expired under the limited node's count and a 429 case answered 2xx.
    const window = { RATE_LIMIT_DURATION: '600', AUTH_RATE_LIMIT_DURATION: '600' };
    [main, limited] = await Promise.all([
      startApiNode(window),
      // One request per caller per 10 minutes, and /metrics off.
      startApiNode({
        ...window,
        RATE_LIMIT_POINTS: '1',
        AUTH_RATE_LIMIT_POINTS: '1',
        METRICS_TOKEN: '',
      }),
    ]);
    document = (await (await fetch(`${main.url}/openapi.json`)).json()) as Document;
    fixtures = await makeFixtures();
  });

  after(async () => {
    await Promise.all([main?.stop(), limited?.stop()]);
  });

  async function send(call: Sent): Promise<Answer> {
    const node = call.node === 'limited' ? limited : main;
    const headers: Record<string, string> = { ...call.headers };
    if (call.as) headers.Authorization = `Bearer ${call.as.accessToken}`;
    if (call.burn) {
      for (let i = 0; i < 2; i += 1) {
        await fetch(`${node.url}/openapi.json`); // the address's budget
        if (call.as) await fetch(`${node.url}/users/me`, { headers });
      }
    }
    let body: string | undefined;
    if (call.raw) {
      headers['Content-Type'] = call.raw.type;
      body = call.raw.body;
    } else if (call.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    const query = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
    const response = await fetch(`${node.url}${call.path}${query}`, {
      method: call.method,
      headers,
      body,
      redirect: 'manual',
    });
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      mediaType: type.split(';')[0].trim(),
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }

  /** What is wrong with `answer` as the document describes its status of `op`. */
  function mismatches(op: Operation, answer: Answer): string[] {
    const declared = op.responses[String(answer.status)];
    if (!declared) {
      return [`answered ${answer.status}, not declared: ${answer.bytes.toString().slice(0, 200)}`];
    }
    if (!declared.content) {
      return answer.bytes.length === 0 ? [] : [`declares no body, sent ${answer.mediaType}`];
    }
    const media = declared.content[answer.mediaType];
    if (!media) {
      const listed = Object.keys(declared.content).join(', ');
      return [`sent ${answer.mediaType || 'no Content-Type'}, declared ${listed}`];
    }
    if (!answer.mediaType.endsWith('json') || !media.schema) return [];
    let validate = validators.get(media.schema);
    if (!validate) {
      // The schema's `#/components/...` references resolve in the document's components.
      validate = ajv.compile({ ...media.schema, components: document.components });
      validators.set(media.schema, validate);
    }
    if (validate(JSON.parse(answer.bytes.toString('utf8')))) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  }

  const operations = () =>
    Object.entries(document.paths).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ template, method, op })),
    );

  it('has requests for every operation of the document, and for no other', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(
      ids.filter((id) => !(id in CASES)),
      'operations without cases',
    ).to.deep.equal([]);
    expect(
      Object.keys(CASES).filter((id) => !ids.includes(id)),
      'cases of nothing',
    ).to.deep.equal([]);
  });

  for (const [operationId, cases] of Object.entries(CASES)) {
    it(`${operationId}: each declared status, with its content type and schema`, async () => {
      const found = operations().find(({ op }) => op.operationId === operationId);
      expect(found, operationId).to.not.equal(undefined);
      const { template, op } = found!;
      const failures: string[] = [];
      const declared = Object.keys(op.responses).map(Number);
      // Declared statuses, and those a request of a kind could make although undeclared.
      const statuses = new Set([...declared, ...Object.keys(cases.errors ?? {}).map(Number)]);
      for (const status of [400, 401, 404, 413, 415, 429, 431]) statuses.add(status);
      for (const status of statuses) {
        if (EXEMPT[status]) continue;
        let call: Sent | undefined;
        if (status === cases.ok.status) call = await cases.ok.make(fixtures);
        else if (cases.errors?.[status]) call = await cases.errors[status](fixtures);
        else call = madeFor(op, template, status, await cases.ok.make(fixtures));
        if (!call) {
          if (declared.includes(status)) failures.push(`${status}: no request here makes it`);
          continue;
        }
        const answer = await send(call);
        if (declared.includes(status) && answer.status !== status) {
          const text = answer.bytes.toString().slice(0, 200);
          failures.push(`${status}: answered ${answer.status} instead: ${text}`);
        } else {
          failures.push(...mismatches(op, answer).map((m) => `${status}: ${m}`));
        }
      }
      expect(failures).to.deep.equal([]);
    });
  }

  it('reads no body on routes that take none (a malformed one changes nothing)', async () => {
    const failures: string[] = [];
    for (const { method, op } of operations()) {
      if (method === 'get' || op.requestBody !== undefined) continue;
      const cases = CASES[op.operationId];
      const call = await cases.ok.make(fixtures);
      const answer = await send({ ...call, raw: { type: 'application/json', body: '{"bad' } });
      if (answer.status !== cases.ok.status) {
        failures.push(
          `${op.operationId}: ${answer.status} ${answer.bytes.toString().slice(0, 200)}`,
        );
      }
    }
    expect(failures).to.deep.equal([]);
  });

  it('sends every Swagger UI asset as a content type /docs/{asset} declares', async () => {
    const op = document.paths['/docs/{asset}'].get;
    for (const asset of ['init.js', ...Object.keys(DOCS_ASSETS)]) {
      const answer = await send({ method: 'GET', path: `/docs/${asset}` });
      expect(answer.status, asset).to.equal(200);
      expect(mismatches(op, answer), asset).to.deep.equal([]);
    }
  });
});
