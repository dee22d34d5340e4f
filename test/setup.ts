/**
 * Loaded by mocha before any test file: points Chirp at the suite's own MySQL database and
 * Redis logical database (never the developer's), migrates it and empties it once.
 * TEST_DATABASE_URL and TEST_REDIS_URL move them elsewhere.
 */
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/chirp_test';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/13';
if (!/\/\d+$/.test(redisUrl) || /\/0$/.test(redisUrl)) {
  throw new Error(
    'TEST_REDIS_URL must name a logical database other than 0 (the suite flushes it)',
  );
}
Object.assign(process.env, {
  NODE_ENV: 'test',
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  BCRYPT_ROUNDS: '4',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  PUBLIC_URL: 'http://chirp.test',
  JWT_SECRET: 'test-secret-that-is-at-least-32-bytes-long!',
  // /metrics answers only this Bearer token (test/helpers/metrics.ts sends it).
  METRICS_TOKEN: 'test-metrics-token-of-the-suite',
  // Suites make many requests from one address; the rate-limit tests start their own
  // processes with the real, small budgets.
  RATE_LIMIT_POINTS: '1000000',
  AUTH_RATE_LIMIT_POINTS: '1000000',
});
delete process.env.SMTP_URL;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    // Imported here, after the environment above is in place.
    const { prepareTestStores } = await import('./helpers/stores');
    await prepareTestStores();
  },
};
