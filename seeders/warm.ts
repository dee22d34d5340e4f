import { rebuildHome } from '../app/timeline/build';

/**
 * Builds the home timelines of `userIds` in Redis from MySQL (as a first read would), at most
 * `concurrency` at a time so the connection pool is never exhausted; `onDone` after each.
 */
export async function warmHomeTimelines(
  userIds: string[],
  concurrency: number,
  onDone: () => void = () => undefined,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < userIds.length) {
      const userId = userIds[next];
      next += 1;
      await rebuildHome(userId);
      onDone();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, userIds.length) }, worker));
}
