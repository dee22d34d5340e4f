import type { AddressInfo } from 'node:net';
import http from 'node:http';
import zlib from 'node:zlib';
import { expect } from 'chai';
import { drainableServer } from '../../app/http/drain';
import { createApp } from '../../app/server';
import { api, bearer, registerUser, type TestUser } from '../helpers/http';

type Answer = Awaited<ReturnType<ReturnType<typeof api>['get']>>;

function expectProblem(response: Answer, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  expect(response.type).to.equal('application/problem+json');
  expect(response.body).to.include({ status, code });
}

/** A POST with a body sent exactly as given: raw JSON text, or bytes in some encoding. */
function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return (
    api()
      .post(path)
      .set({ 'Content-Type': 'application/json', ...headers })
      // Sent as given: superagent would otherwise serialise a Buffer as JSON.
      .serialize((bytes: unknown) => bytes as string)
      .send(body)
  );
}

describe('Security: malformed requests', () => {
  let alice: TestUser;
  const login = () => JSON.stringify({ username: alice.username, password: alice.password });

  before(async () => {
    alice = await registerUser();
  });

  describe('__proto__, constructor and prototype keys', () => {
    it('answers a login carrying "__proto__": {} by its fields, not with a 500', async () => {
      const wrong = '{"username":"nobody_here","password":"wrong password","__proto__":{}}';
      expectProblem(await post('/auth/login', wrong), 401, 'invalid_credentials');

      const right = `${login().slice(0, -1)},"__proto__":{"isAdmin":true}}`;
      const response = await post('/auth/login', right);
      expect(response.status).to.equal(200);
      expect(response.body.user).to.include({ id: alice.id });
    });

    it('answers a login carrying constructor.prototype keys by its fields', async () => {
      const body = `{"constructor":{"prototype":{"polluted":1}},${login().slice(1)}`;
      const response = await post('/auth/login', body);
      expect(response.status).to.equal(200);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('drops a __proto__ key on POST /tweets wherever it sits, keeping the other fields', async () => {
      const body = '{"content":"hello from the top","__proto__":{"content":"from the proto"}}';
      const response = await post('/tweets', body, bearer(alice.accessToken));
      expect(response.status, JSON.stringify(response.body)).to.equal(201);
      expect(response.body.content).to.equal('hello from the top');
    });

    it('does not take a field from under __proto__ (escaped or not): the tweet has no content', async () => {
      for (const key of ['__proto__', '\\u005f_proto__', 'constructor']) {
        const response = await post(
          '/tweets',
          `{"${key}":{"content":"smuggled"}}`,
          bearer(alice.accessToken),
        );
        expectProblem(response, 400, 'validation_failed');
      }
    });
  });

  describe('compressed bodies', () => {
    it('reads a gzip, deflate or br body', async () => {
      const encoders = {
        gzip: zlib.gzipSync,
        deflate: zlib.deflateSync,
        br: zlib.brotliCompressSync,
      };
      for (const [encoding, encode] of Object.entries(encoders)) {
        const response = await post('/auth/login', encode(login()), {
          'Content-Encoding': encoding,
        });
        expect(response.status, `${encoding}: ${JSON.stringify(response.body)}`).to.equal(200);
      }
    });

    it('answers truncated or garbage gzip, deflate and br bodies with 400 malformed_json', async () => {
      const gzip = zlib.gzipSync(login());
      const bodies: [string, Buffer][] = [
        ['gzip', gzip.subarray(0, gzip.length - 12)],
        ['gzip', Buffer.from('this is not gzip at all')],
        ['deflate', zlib.deflateSync(login()).subarray(0, 10)],
        ['deflate', Buffer.from('\x78\x9c garbage')],
        ['br', Buffer.from('definitely not brotli data, no')],
        ['br', zlib.brotliCompressSync(login()).subarray(0, 8)],
      ];
      for (const [encoding, body] of bodies) {
        const response = await post('/auth/login', body, { 'Content-Encoding': encoding });
        expectProblem(response, 400, 'malformed_json');
      }
    });

    it('answers an unknown Content-Encoding with 415 unsupported_media_type', async () => {
      for (const encoding of ['compress', 'zstd', 'gzip, br']) {
        const response = await post('/auth/login', login(), { 'Content-Encoding': encoding });
        expectProblem(response, 415, 'unsupported_media_type');
      }
    });

    it('refuses a small gzip body that inflates past 1 MB with 413 payload_too_large', async () => {
      const bomb = zlib.gzipSync(`{"content":"${'a'.repeat(5_000_000)}"}`);
      expect(bomb.length).to.be.below(20_000);
      const response = await post('/tweets', bomb, {
        ...bearer(alice.accessToken),
        'Content-Encoding': 'gzip',
      });
      expectProblem(response, 413, 'payload_too_large');
    });
  });

  describe('sizes and types', () => {
    it('answers a 2 MB body with 413 payload_too_large', async () => {
      const body = JSON.stringify({ content: 'x'.repeat(2_000_000) });
      expectProblem(
        await post('/tweets', body, bearer(alice.accessToken)),
        413,
        'payload_too_large',
      );
    });

    it('answers a body that is not JSON with 415 unsupported_media_type', async () => {
      const response = await post('/auth/login', 'username=a&password=b', {
        'Content-Type': 'application/x-www-form-urlencoded',
      });
      expectProblem(response, 415, 'unsupported_media_type');
    });

    it('answers JSON that is not valid UTF-8 with 400 malformed_json', async () => {
      const body = Buffer.concat([
        Buffer.from('{"username":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]);
      expectProblem(await post('/auth/login', body), 400, 'malformed_json');
    });

    it('reads an empty body on a body route as {}', async () => {
      const response = await post('/auth/login', '');
      expectProblem(response, 400, 'validation_failed');
    });

    it('ignores a body sent to a route that takes none', async () => {
      const response = await api()
        .get('/users/me')
        .set({ ...bearer(alice.accessToken), 'Content-Type': 'application/json' })
        .send('{"this is": not json');
      expect(response.status).to.equal(200);
      expect(response.body).to.include({ id: alice.id });
    });
  });

  describe('request heads over the limit', () => {
    let server: http.Server;
    let port: number;

    before(async () => {
      // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Koa's callback is the listener
      server = drainableServer(createApp().callback()).server;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(async () => new Promise((resolve) => server.close(() => resolve(undefined))));

    function get(path: string, headers: Record<string, string> = {}) {
      return new Promise<{ status: number; type: string; body: Record<string, unknown> }>(
        (resolve, reject) => {
          const request = http.get({ host: '127.0.0.1', port, path, headers }, (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                type: response.headers['content-type'] ?? '',
                body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
              }),
            );
          });
          request.on('error', reject);
        },
      );
    }

    for (const [what, path, headers] of [
      ['header', '/healthz', { 'X-Filler': 'x'.repeat(40_000) }],
      ['query', `/healthz?q=${'x'.repeat(40_000)}`, {}],
    ] as const) {
      it(`answers an oversized ${what} with a 431 request_header_too_large problem`, async () => {
        const response = await get(path, headers);
        expect(response.status).to.equal(431);
        expect(response.type).to.match(/^application\/problem\+json/);
        expect(response.body).to.include({ status: 431, code: 'request_header_too_large' });
      });
    }
  });
});
