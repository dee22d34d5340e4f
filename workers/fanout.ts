import type { Job } from 'bull';
import type { JobPayloads } from '../app/queue/jobs';
import { isCelebrity, timelineCap } from '../app/timeline/build';
import { keys } from '../app/cache/keys';
import { removeFromTimelines } from '../app/timeline/maintain';
import { scriptPipeline } from '../app/cache/store';
import type { ScriptPipeline } from '../app/cache/scripts';
import { emitToUsers } from '../app/realtime/emitter';
import { entryIdsByAuthors } from '../app/records/tweets';
import { findUser } from '../app/records/users';
import { type Delivery, deliverEntry, forEachFollowerPage } from '../app/delivery/fanout';

/** A `fanout` job: its entry delivered to timelines and sockets (app/delivery/fanout.ts). */
export async function processFanout(job: Job<JobPayloads['fanout']>): Promise<Delivery> {
  return (await deliverEntry(job.data.entryId)) ?? { delivered: 0 };
}

/** Deleted entries leave their author's followers' timelines. */
async function removeEntries(entries: { id: string; authorId: string }[]): Promise<void> {
  const byAuthor = new Map<string, string[]>();
  for (const { id, authorId } of entries)
    byAuthor.set(authorId, [...(byAuthor.get(authorId) ?? []), id]);
  for (const [authorId, ids] of byAuthor) {
    await removeFromTimelines([keys.home(authorId), keys.author(authorId)], ids);
    for (const id of ids) await emitToUsers([authorId], 'tweet:deleted', { id });
    await forEachFollowerPage(authorId, async (followers) => {
      await removeFromTimelines(followers.map(keys.home), ids);
      for (const id of ids) await emitToUsers(followers, 'tweet:deleted', { id });
    });
  }
}

/**
 * An author crossed the celebrity threshold. Up: followers' timelines merge them at read
 * time from now on. Down: their recent tweets are written into followers' timelines again.
 */
async function celebrityChanged(userId: string, celebrity: boolean): Promise<void> {
  const recent = celebrity ? [] : await entryIdsByAuthors([userId], timelineCap());
  const cap = String(timelineCap());
  await pipelinePerFollower(userId, (pipeline, follower) => {
    pipeline.updateExistingSet(keys.celebrities(follower), celebrity ? 'add' : 'rem', userId);
    if (recent.length > 0) pipeline.mergeIntoTimeline(keys.home(follower), cap, ...recent);
  });
}

/** Queues `each` follower's Redis work of `userId`, one pipeline per page of followers. */
async function pipelinePerFollower(
  userId: string,
  each: (pipeline: ScriptPipeline, follower: string) => void,
): Promise<void> {
  await forEachFollowerPage(userId, async (followers) => {
    const pipeline = scriptPipeline();
    for (const follower of followers) each(pipeline, follower);
    await pipeline.exec();
  });
}

/** How many of an unsuspended author's recent entries go back in (as a follow merges 200). */
const RESTORE_MERGE = 200;

/**
 * An author was unsuspended: reads dropped their entries from home timelines while they were
 * hidden, so their recent entries are merged back into their own timelines and, unless they
 * are a celebrity (merged at read time), each follower's. Only into timelines that exist; a
 * missing one is rebuilt whole. Nothing happens if they were suspended again meanwhile.
 */
async function restoreAuthor(userId: string): Promise<void> {
  const author = await findUser(userId);
  if (!author || author.suspendedAt || author.deletedAt) return;
  const recent = await entryIdsByAuthors([userId], RESTORE_MERGE);
  if (recent.length === 0) return;
  const cap = String(timelineCap());
  await scriptPipeline()
    .mergeIntoTimeline(keys.home(userId), cap, ...recent)
    .mergeIntoTimeline(keys.author(userId), cap, ...recent)
    .exec();
  if (isCelebrity(author.followersCount)) return;
  await pipelinePerFollower(userId, (pipeline, follower) => {
    pipeline.mergeIntoTimeline(keys.home(follower), cap, ...recent);
  });
}

/** Timeline upkeep jobs of the `timeline` queue: deletes, celebrity changes, restores. */
export type TimelineUpkeepJob = Exclude<JobPayloads['timeline'], { kind: 'repair' }>;

/** Keeps followers' timelines true after deletes, celebrity changes and unsuspensions. */
export async function processTimelineUpkeep(data: TimelineUpkeepJob): Promise<void> {
  if (data.kind === 'remove') await removeEntries(data.entries);
  else if (data.kind === 'restore') await restoreAuthor(data.userId);
  else await celebrityChanged(data.userId, data.celebrity);
}
