import net from 'node:net';
import { expect } from 'chai';
import { PasswordReset, sequelize } from '../../models';
import { getQueue } from '../../app/queue/queues';
import { api, registerUser } from '../helpers/http';
import { startApiNode } from '../helpers/apiNode';
import { type RunningProcess, startProcess } from '../helpers/processes';
import { deliveredByWorkers } from '../timeline/support';
import { SlowMailServer } from './slowMailServer';

const EXIT_DEADLINE_MS = 10_000;

/** The process's exit code, or a failure if it is still running after the deadline. */
async function exitCodeWithin(running: RunningProcess, ms = EXIT_DEADLINE_MS) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      running.child.kill('SIGKILL');
      reject(new Error(`still running ${ms} ms after the signal:\n${running.output()}`));
    }, ms);
  });
  try {
    return await Promise.race([running.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a new TCP connection to the port is refused (nothing listens there any more). */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function waitUntilRefused(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await connectionRefused(port))) {
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface SessionAnswer {
  user: { username: string };
  accessToken: string;
}

/**
 * What the server sends on a socket: `continued` resolves on its interim 100 Continue (it
 * has read the request's headers), `response` on the whole final answer.
 */
function readAnswers(socket: net.Socket) {
  let raw = '';
  let onContinue: () => void = () => undefined;
  const continued = new Promise<void>((resolve) => (onContinue = resolve));
  const response = new Promise<{ status: number; body: SessionAnswer }>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
      if (/^HTTP\/1\.1 100 /.test(raw)) onContinue();
      const final = raw.replace(/^HTTP\/1\.1 100 [^\r]*\r\n\r\n/, '');
      const end = final.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = final.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
      const body = final.slice(end + 4);
      if (Buffer.byteLength(body) < length) return;
      resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(body) as SessionAnswer });
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection closed after:\n${raw}`)));
  });
  response.catch(() => undefined); // a failed test destroys the socket before it awaits this
  return { continued, response };
}

describe('shutdown of an API process', function () {
  this.timeout(30_000);

  it('finishes a request in flight at SIGTERM, stops accepting and exits 0', async () => {
    const user = await registerUser();
    const { port, process: running } = await startApiNode();

    const body = JSON.stringify({ username: user.username, password: user.password });
    const half = Math.floor(body.length / 2);
    const socket = net.connect({ host: '127.0.0.1', port });
    try {
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      const answers = readAnswers(socket);
      // A keep-alive client, as a load balancer is: it does not hang up after the answer.
      socket.write(
        'POST /auth/login HTTP/1.1\r\n' +
          `Host: 127.0.0.1:${port}\r\n` +
          'Content-Type: application/json\r\n' +
          'Expect: 100-continue\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      await answers.continued; // the server has the headers: the request is in flight
      socket.write(body.slice(0, half));

      running.child.kill('SIGTERM');
      await waitUntilRefused(port);
      socket.write(body.slice(half));

      const response = await answers.response;
      expect(response.status).to.equal(200);
      expect(response.body.user.username).to.equal(user.username);
      expect(response.body.accessToken).to.be.a('string');

      expect(await exitCodeWithin(running)).to.equal(0);
      expect(await connectionRefused(port)).to.equal(true);
    } finally {
      socket.destroy();
      await running.stop('SIGKILL');
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits 0 on ${signal} when idle`, async () => {
      const { port, process: running } = await startApiNode();
      try {
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(health.status).to.equal(200);
        running.child.kill(signal);
        expect(await exitCodeWithin(running)).to.equal(0);
        expect(await connectionRefused(port)).to.equal(true);
      } finally {
        await running.stop('SIGKILL');
      }
    });
  }
});

describe('an API process stopped right after a write', function () {
  this.timeout(30_000);

  it('leaves no outbox row of the jobs it handed to Bull', async () => {
    const author = await registerUser();
    await deliveredByWorkers(author.id); // the post's fan-out is a job, not done at commit
    const { port, process: running } = await startApiNode();
    try {
      const response = await fetch(`http://127.0.0.1:${port}/tweets`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${author.accessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ content: 'posted just before a restart' }),
      });
      expect(response.status).to.equal(201);
      const { id } = (await response.json()) as { id: string };
      running.child.kill('SIGTERM'); // at once: the sent row is still waiting for its batch
      expect(await exitCodeWithin(running)).to.equal(0);
      const [rows] = await sequelize.query('SELECT id FROM outbox WHERE job_id = :jobId', {
        replacements: { jobId: `fanout:${id}` },
      });
      expect(rows, 'the fan-out job, still in the outbox').to.deep.equal([]);
      expect(await getQueue('fanout').getJob(`fanout:${id}`), 'the job, in Bull').to.not.equal(
        null,
      );
    } finally {
      await running.stop('SIGKILL');
    }
  });
});

describe('shutdown of a worker process', function () {
  this.timeout(30_000);

  it('finishes the mail it is sending at SIGTERM, then exits 0', async () => {
    const user = await registerUser();
    const smtp = await SlowMailServer.start(user.email, 2000);
    const worker = await startProcess('workers/index.ts', { SMTP_URL: smtp.url });
    try {
      const receiving = smtp.startedReceiving(user.email);
      await api().post('/auth/forgot-password').send({ email: user.email }).expect(202);
      await receiving;
      expect(smtp.wasDelivered(user.email), 'not answered yet when the signal is sent').to.equal(
        false,
      );

      worker.child.kill('SIGTERM');
      expect(await exitCodeWithin(worker)).to.equal(0);

      expect(smtp.wasDelivered(user.email), 'the mail was delivered').to.equal(true);
      const reset = await PasswordReset.findOne({ where: { userId: user.id } });
      const job = await getQueue('mail').getJob(`passwordReset:${reset!.id}`);
      expect(await job!.getState(), 'the job is recorded as done').to.equal('completed');
    } finally {
      await worker.stop('SIGKILL');
      await smtp.stop();
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits 0 on ${signal} when idle`, async () => {
      // Errors logged, so that a failed shutdown says why in the assertion.
      const worker = await startProcess('workers/index.ts', { LOG_LEVEL: 'error' });
      try {
        worker.child.kill(signal);
        expect(await exitCodeWithin(worker), worker.output()).to.equal(0);
      } finally {
        await worker.stop('SIGKILL');
      }
    });
  }
});
