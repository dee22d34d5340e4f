const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The suite's one polling loop: calls `read` every 100 ms until `done` holds for its answer
 * (pass `Boolean` to wait for something truthy), and answers that value; fails naming `what`
 * and the last answer after `timeoutMs`. For what another process (worker, API node, relay)
 * makes true a little later.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what} not reached in ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    }
    await sleep(100);
  }
}
