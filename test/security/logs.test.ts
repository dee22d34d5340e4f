import zlib from 'node:zlib';
import { expect } from 'chai';
import { LOGGER_OPTIONS } from '../../app/infra/logger';
import { uniqueHandle } from '../helpers/http';
import { jsonLines, memoryLogger } from '../helpers/logs';
import { startApiNode } from '../helpers/apiNode';
import { type RunningProcess } from '../helpers/processes';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Security: what reaches the log of an API process', function () {
  this.timeout(60_000);
  let apiProcess: RunningProcess;
  let base: string;

  before(async () => {
    ({ process: apiProcess, url: base } = await startApiNode({ LOG_LEVEL: 'info' }));
  });
  after(async () => {
    await apiProcess?.stop('SIGKILL');
  });

  const send = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });

  it('never holds a password or body text, whatever malformed or failing request carried it', async () => {
    const handle = uniqueHandle('lg');
    const password = 'pw-never-logged-5d1e';
    const marker = 'body-text-never-logged-9c2b';
    const registered = await send('/auth/register', JSON.stringify({ ...handle, password }));
    expect(registered.status).to.equal(201);

    const login = JSON.stringify({ username: handle.username, password, note: marker });
    const gzip = zlib.gzipSync(login);
    const requests: [string, string | Buffer, Record<string, string>?][] = [
      ['/auth/login', `${login.slice(0, -1)},"__proto__":{"x":"${marker}"}}`],
      ['/auth/login', `{"constructor":{"prototype":{"x":"${marker}"}},${login.slice(1)}`],
      ['/auth/login', login.slice(0, -3)],
      ['/auth/login', JSON.stringify({ username: handle.username, password: `${password}x` })],
      ['/auth/login', gzip.subarray(0, gzip.length - 12), { 'Content-Encoding': 'gzip' }],
      ['/auth/login', Buffer.from(login), { 'Content-Encoding': 'deflate' }],
      ['/auth/login', Buffer.from(login), { 'Content-Encoding': 'br' }],
      ['/auth/login', login, { 'Content-Encoding': 'compress' }],
      ['/auth/login', login, { 'Content-Type': 'text/plain' }],
      ['/auth/register', JSON.stringify({ ...handle, password, displayName: marker })],
      ['/tweets', JSON.stringify({ content: marker, pad: password.repeat(60_000) })],
    ];
    for (const [path, body, headers] of requests) {
      const response = await send(path, body, headers);
      expect(response.status, `${path} ${String(body).slice(0, 60)}`).to.be.below(500);
    }
    await sleep(300); // the last lines reach stdout

    const output = apiProcess.output();
    expect(output, 'the password').not.to.contain(password);
    expect(output, 'body text').not.to.contain(marker);
    expect(jsonLines(output).filter((line) => line.level === 'error')).to.deep.equal([]);
  });

  it('writes a bounded number of lines for a burst of 100 malformed requests, none at error', async () => {
    await sleep(1100); // a fresh second for the throttle
    const before = jsonLines(apiProcess.output()).length;
    const burst = Array.from({ length: 100 }, (_, i) =>
      send('/auth/login', `{"username": "burst${i}", "password": `),
    );
    for (const response of await Promise.all(burst)) expect(response.status).to.equal(400);
    await sleep(300);

    const lines = jsonLines(apiProcess.output()).slice(before);
    expect(lines.filter((line) => line.level === 'error')).to.deep.equal([]);
    expect(lines.length, JSON.stringify(lines.slice(0, 3))).to.be.at.most(20);
  });
});

describe('Security: the logger itself', () => {
  it('drops what a client sent from a logged error: its body, raw body and query values', () => {
    const { log, lines } = memoryLogger(LOGGER_OPTIONS);
    const error = Object.assign(new Error('parse failed'), {
      body: '{"password":"hunter2-in-body"}',
      rawBody: 'hunter2-in-raw-body',
      parameters: ['hunter2-in-parameters'],
      cause: Object.assign(new Error('inner'), { body: 'hunter2-in-cause' }),
    });
    log.error({ err: error }, 'unhandled error');
    const text = lines.join('');
    expect(text).not.to.contain('hunter2');
    expect(JSON.parse(lines[0]).err.message).to.match(/^parse failed/);
  });

  it('redacts a body logged under any name one or two levels deep', () => {
    const { log, lines } = memoryLogger(LOGGER_OPTIONS);
    log.info({ body: { note: 'top-secret-1' }, ctx: { body: 'top-secret-2' } }, 'oops');
    log.info({ request: { nested: { body: 'top-secret-3' } } }, 'oops');
    expect(lines.join('')).not.to.match(/top-secret/);
  });
});
