import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../config';
import { DEVELOPMENT_JWT_SECRET } from '../../config/env';
import { runUntilExit, STACK_LINE } from './support';

const ROOT = path.resolve(__dirname, '../..');

/** Folders whose code must take its settings from `config/`, never from the environment. */
const SOURCE_FOLDERS = ['app', 'workers', 'models', 'migrations', 'seeders'];

function typeScriptFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // a folder not created yet holds no offenders
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Source files (relative to `root`) that mention `process.env`, comments included. */
function filesReadingProcessEnv(root: string): string[] {
  return SOURCE_FOLDERS.flatMap((folder) => typeScriptFiles(path.join(root, folder)))
    .filter((file) =>
      /process\s*(\.\s*env\b|\[\s*['"`]env['"`]\s*\])/.test(readFileSync(file, 'utf8')),
    )
    .map((file) => path.relative(root, file));
}

function configErrorFrom(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('configuration (config/)', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).to.equal(3000);
    expect(config.databaseUrl).to.equal('mysql://root@127.0.0.1:3306/chirp');
    expect(config.databaseName).to.equal('chirp');
    expect(config.redisUrl).to.equal('redis://127.0.0.1:6379/0');
    expect(config.jwt.accessTtlSeconds).to.equal(15 * 60);
    expect(config.jwt.refreshTtlSeconds).to.equal(30 * 86400);
    expect(config.bcryptRounds).to.equal(12);
    expect(config.rateLimit).to.deep.equal({
      points: 5,
      durationSeconds: 1,
      authPoints: 10,
      authDurationSeconds: 300,
    });
    expect(config.timeline).to.deep.equal({ celebrityThreshold: 10_000, maxLength: 800 });
    expect(config.publicUrl).to.equal('http://localhost:3000');
    expect(config.workerInstances).to.equal(1);
    expect(config.mail.smtpUrl).to.equal(undefined);
    expect(config.jwt.sessionMaxAgeSeconds).to.equal(90 * 86400);
    expect(config.trustProxyHops).to.equal(0);
    expect(config.metricsToken).to.equal(null);
    // Unset NODE_ENV runs as production, signing with the secret kept in MySQL.
    expect(config.isProduction).to.equal(true);
    expect(config.jwt.secret).to.equal(null);
    expect(config.jwt.usingDevelopmentSecret).to.equal(false);
  });

  it('uses the public development secret only under an explicit development or test', () => {
    for (const mode of ['development', 'test']) {
      const config = loadConfig({ NODE_ENV: mode });
      expect(config.jwt.secret, mode).to.equal(DEVELOPMENT_JWT_SECRET);
      expect(config.jwt.usingDevelopmentSecret, mode).to.equal(true);
    }
  });

  it('reads TRUST_PROXY as a number of hops, true as one', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxyHops).to.equal(1);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxyHops).to.equal(0);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxyHops).to.equal(2);
    expect(configErrorFrom({ TRUST_PROXY: 'yes' }).message).to.contain('TRUST_PROXY');
  });

  it('reads DATABASE_POOL_MAX as the pool size, 10 when unset, within 1-200', () => {
    expect(loadConfig({}).databasePoolMax).to.equal(10);
    expect(loadConfig({ DATABASE_POOL_MAX: '40' }).databasePoolMax).to.equal(40);
    for (const bad of ['0', '201', 'many', '-5']) {
      expect(configErrorFrom({ DATABASE_POOL_MAX: bad }).problems, bad).to.have.length(1);
      expect(configErrorFrom({ DATABASE_POOL_MAX: bad }).message, bad).to.contain(
        'DATABASE_POOL_MAX',
      );
    }
  });

  it("sizes a started process's MySQL pool from DATABASE_POOL_MAX", async function () {
    this.timeout(20_000);
    const { code, output } = await runUntilExit('test/platform/poolProbe.ts', {
      DATABASE_POOL_MAX: '3',
    });
    expect(code, output).to.equal(0);
    expect(output).to.contain('pool.max=3');
  });

  it('reads durations such as 15m and 30d as seconds', () => {
    const config = loadConfig({ JWT_ACCESS_TTL: '2h', REFRESH_TTL: '7d' });
    expect(config.jwt.accessTtlSeconds).to.equal(7200);
    expect(config.jwt.refreshTtlSeconds).to.equal(7 * 86400);
  });

  it('names every bad variable in one ConfigError', () => {
    const error = configErrorFrom({ PORT: 'abc', DATABASE_URL: 'nonsense' });
    expect(error.problems).to.have.length(2);
    expect(error.problems.some((p) => p.startsWith('PORT'))).to.equal(true);
    expect(error.problems.some((p) => p.startsWith('DATABASE_URL'))).to.equal(true);
    expect(error.message).to.contain('PORT').and.to.contain('DATABASE_URL');
  });

  describe('JWT_SECRET in production', () => {
    it('is required', () => {
      const error = configErrorFrom({ NODE_ENV: 'production' });
      expect(error.message).to.contain('JWT_SECRET');
    });

    it('refuses a 31-byte secret without printing it', () => {
      const secret = 's'.repeat(31);
      const error = configErrorFrom({ NODE_ENV: 'production', JWT_SECRET: secret });
      expect(error.message).to.contain('JWT_SECRET');
      expect(error.message).not.to.contain(secret);
    });

    it('accepts a 32-byte secret', () => {
      const secret = 's'.repeat(32);
      const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret });
      expect(config.isProduction).to.equal(true);
      expect(config.jwt.secret).to.equal(secret);
      expect(config.jwt.usingDevelopmentSecret).to.equal(false);
    });

    it('counts bytes, not characters', () => {
      // '€' is three bytes in UTF-8: 11 of them are 33 bytes, 10 plus one ASCII are 31.
      expect(() =>
        loadConfig({ NODE_ENV: 'production', JWT_SECRET: '€'.repeat(11) }),
      ).not.to.throw();
      const error = configErrorFrom({ NODE_ENV: 'production', JWT_SECRET: '€'.repeat(10) + 'x' });
      expect(error.message).to.contain('JWT_SECRET');
    });
  });

  it('stops the API at start-up with a sentence naming each bad variable', async function () {
    this.timeout(20_000);
    const { code, output } = await runUntilExit('app/index.ts', {
      PORT: 'abc',
      DATABASE_URL: 'nonsense',
    });
    expect(code).to.be.a('number').and.not.equal(0);
    expect(output).to.contain('PORT').and.to.contain('DATABASE_URL');
    expect(output).not.to.match(STACK_LINE);
  });

  describe('nothing outside config/ reads process.env', () => {
    let scratch: string | undefined;

    after(() => {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it('holds for app/, workers/, models/, migrations/ and seeders/', () => {
      expect(filesReadingProcessEnv(ROOT)).to.deep.equal([]);
    });

    it('is a check that reports an offending file, even in a comment', () => {
      scratch = mkdtempSync(path.join(os.tmpdir(), 'chirp-env-scan-'));
      mkdirSync(path.join(scratch, 'app', 'deep'), { recursive: true });
      mkdirSync(path.join(scratch, 'config'));
      writeFileSync(path.join(scratch, 'app', 'ok.ts'), 'export const a = 1;\n');
      writeFileSync(path.join(scratch, 'app', 'deep', 'bad.ts'), '// see process.env.PORT\n');
      writeFileSync(path.join(scratch, 'config', 'index.ts'), 'export const e = process.env;\n');
      expect(filesReadingProcessEnv(scratch)).to.deep.equal([path.join('app', 'deep', 'bad.ts')]);
    });
  });
});
