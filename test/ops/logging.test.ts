import { expect } from 'chai';
import { REDACTED_PATHS, redactUrl } from '../../app/infra/logger';
import { uniqueHandle } from '../helpers/http';
import { jsonLines, type LogLine, memoryLogger } from '../helpers/logs';
import { startApiNode } from '../helpers/apiNode';
import { type RunningProcess } from '../helpers/processes';

async function waitForLogLine(
  running: RunningProcess,
  matches: (line: LogLine) => boolean,
  timeoutMs = 5000,
): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = jsonLines(running.output()).find(matches);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such log line in:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('request logs of an API process', function () {
  this.timeout(30_000);
  let apiProcess: RunningProcess;
  let base: string;

  before(async () => {
    ({ process: apiProcess, url: base } = await startApiNode({ LOG_LEVEL: 'debug' }));
  });

  after(async () => {
    await apiProcess?.stop('SIGKILL');
  });

  /** The parts of a session answer the test reads (other answers have none of them). */
  interface Answer {
    user?: { id: string };
    accessToken?: string;
    refreshToken?: string;
  }

  async function post(path: string, body: object, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const json = response.headers.get('content-type')?.includes('json');
    return { response, body: json ? ((await response.json()) as Answer) : ({} as Answer) };
  }

  it('writes JSON lines with the caller’s request id, and never a password or token', async () => {
    const handle = uniqueHandle('log');
    const password = 'logged nowhere 7f3a9c';
    const registered = await post('/auth/register', { ...handle, password });
    expect(registered.response.status).to.equal(201);
    const loggedIn = await post('/auth/login', { username: handle.username, password });
    expect(loggedIn.response.status).to.equal(200);
    const { accessToken, refreshToken } = loggedIn.body;

    const requestId = `ops-log-${Date.now().toString(36)}`;
    const me = await fetch(`${base}/users/me`, {
      headers: { Authorization: `Bearer ${accessToken}`, 'X-Request-Id': requestId },
    });
    expect(me.status).to.equal(200);
    expect(me.headers.get('x-request-id')).to.equal(requestId);

    const refreshed = await post('/auth/refresh', { refreshToken });
    expect(refreshed.response.status).to.equal(200);
    const forgot = await post('/auth/forgot-password', { email: handle.email });
    expect(forgot.response.status).to.equal(202);
    // A token in a query string is as secret as one in a header.
    const withQueryToken = await fetch(
      `${base}/healthz?token=${encodeURIComponent(String(accessToken))}`,
    );
    expect(withQueryToken.status).to.equal(200);

    const line = await waitForLogLine(
      apiProcess,
      (l) => l.reqId === requestId && l.msg === 'request',
    );
    expect(line).to.include({ method: 'GET', url: '/users/me', status: 200, role: 'api' });
    expect(registered.body.user?.id).to.be.a('string');
    expect(line.userId).to.equal(registered.body.user?.id);
    expect(line.level).to.equal('debug');
    const queryLine = await waitForLogLine(
      apiProcess,
      (l) => l.msg === 'request' && String(l.url).startsWith('/healthz?'),
    );
    expect(queryLine.url).to.equal('/healthz?token=[Redacted]');

    const output = apiProcess.output();
    const secrets = {
      password,
      registerAccessToken: registered.body.accessToken,
      registerRefreshToken: registered.body.refreshToken,
      accessToken,
      refreshToken,
      rotatedAccessToken: refreshed.body.accessToken,
      rotatedRefreshToken: refreshed.body.refreshToken,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret, name).to.be.a('string').with.length.greaterThan(7);
      expect(output.includes(secret as string), `${name} appears in the logs`).to.equal(false);
    }
  });

  it('gives a request without a usable X-Request-Id an id of its own, echoed and logged', async () => {
    const response = await fetch(`${base}/users/me`, {
      headers: { 'X-Request-Id': 'not an acceptable id <script>' },
    });
    expect(response.status).to.equal(401);
    const given = response.headers.get('x-request-id');
    expect(given)
      .to.be.a('string')
      .and.match(/^[0-9a-f-]{36}$/);
    const line = await waitForLogLine(apiProcess, (l) => l.reqId === given);
    expect(line).to.include({ msg: 'request', url: '/users/me', status: 401, level: 'info' });
  });
});

describe('log redaction (REDACTED_PATHS and redactUrl)', () => {
  const redactingLogger = () =>
    memoryLogger({ redact: { paths: REDACTED_PATHS, censor: '[Redacted]' } });

  it('hides the Authorization header of a logged request', () => {
    const { log, lines } = redactingLogger();
    log.info({ req: { method: 'GET', headers: { authorization: 'Bearer sekret.jwt.value' } } });
    expect(lines.join('')).not.to.contain('sekret.jwt.value');
    const line = JSON.parse(lines[0]);
    expect(line.req.headers.authorization).to.equal('[Redacted]');
    expect(line.req.method).to.equal('GET');
  });

  it('hides a logged body whole, refresh token and all', () => {
    const { log, lines } = redactingLogger();
    log.info({ body: { refreshToken: 'rt-sekret-value', username: 'ada' } });
    expect(lines.join('')).not.to.contain('rt-sekret-value');
    const line = JSON.parse(lines[0]);
    expect(line.body).to.equal('[Redacted]');
  });

  it('hides a refresh token nested in any other logged object', () => {
    const { log, lines } = redactingLogger();
    log.info({ session: { refreshToken: 'rt-sekret-value', username: 'ada' } });
    expect(lines.join('')).not.to.contain('rt-sekret-value');
    const line = JSON.parse(lines[0]);
    expect(line.session).to.deep.equal({ refreshToken: '[Redacted]', username: 'ada' });
  });

  it('hides the token query parameter of a logged URL and keeps the rest', () => {
    const { log, lines } = redactingLogger();
    log.info({ url: redactUrl('/reset-password?token=abc123sekret&lang=en') });
    expect(lines.join('')).not.to.contain('abc123sekret');
    expect(JSON.parse(lines[0]).url).to.equal('/reset-password?token=[Redacted]&lang=en');
  });
});
