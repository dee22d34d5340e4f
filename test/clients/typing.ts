/**
 * What the client's types accept and refuse, checked by the compiler (`npm run typecheck`),
 * not run: each `@ts-expect-error` fails the typecheck if its line ever compiles.
 */
import type * as Server from '../../app/realtime/events';
import type { ChirpClient, EventPayload, Schemas } from '../../clients/typescript/src';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Every event of the server's map, with the payload the server sends, is the client's. */
export const payloadsMatch: {
  [E in Server.RealtimeEvent]: Same<Parameters<Server.ServerToClientEvents[E]>[0], EventPayload<E>>;
} = { 'tweet:new': true, 'tweet:deleted': true, notification: true };

export async function calls(client: ChirpClient): Promise<void> {
  const tweet: Schemas['Tweet'] = await client.post('/tweets', { body: { content: 'hi' } });
  const page: Schemas['TimelinePage'] = await client.get('/tweets');
  const nothing: undefined = await client.delete('/tweets/{id}', { params: { id: tweet.id } });
  const users: Schemas['UserPage'] = await client.get('/search/users', { query: { q: 'ada' } });
  void [page, nothing, users];

  // @ts-expect-error the path parameter is required
  await client.get('/tweets/{id}');
  // @ts-expect-error search needs its q
  await client.get('/search/users', { query: {} });
  // @ts-expect-error a tweet's body has no such field
  await client.post('/tweets', { body: { text: 'hi' } });
  // @ts-expect-error no PUT on /tweets
  await client.put('/tweets', {});
  // @ts-expect-error no such path
  await client.get('/tweet');
  // @ts-expect-error the answer is a tweet, not a page
  const wrong: Schemas['TimelinePage'] = await client.post('/tweets', { body: { content: 'x' } });
  void wrong;
}
