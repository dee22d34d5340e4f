import { SNAPSHOT_TTL_SECONDS } from '../cache/snapshots';
import { pageOf } from '../http/paging';
import { defineRoute } from '../http/route';
import { TweetPage } from '../tweets/schemas';
import { UserSchema } from '../users/schemas';
import { SearchTweetsQuery, SearchUsersQuery } from './schemas';
import { USER_SEARCH_CAP, searchTweets, searchUsers } from './service';

const tags = ['search'];
const UserSearchPage = pageOf(UserSchema, 'UserSearchPage');

export const searchRoutes = [
  defineRoute({
    method: 'get',
    path: '/search/users',
    operationId: 'searchUsers',
    summary: 'Users whose username or display name starts with q (any case), most followers first',
    description:
      `Ties go newest account first. A q that matches nobody answers an empty page. The first ` +
      `${USER_SEARCH_CAP.toLocaleString('en')} matches are ranked when the first page is read, ` +
      `and later pages read that ranking, so follower counts changing meanwhile never make a ` +
      `page skip or repeat a user. Give the same q with the cursor: a cursor given with another ` +
      `q, or ${SNAPSHOT_TTL_SECONDS / 60} minutes after its first page, is a 400 ` +
      `validation_failed naming query.cursor (start again without a cursor).`,
    tags,
    auth: 'required',
    request: { query: SearchUsersQuery },
    responses: { 200: { description: 'A page of users', schema: UserSearchPage } },
    async handle({ query, viewer }) {
      return {
        status: 200,
        body: await searchUsers(viewer.id, query.q, query.cursor, query.limit),
      };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/search/tweets',
    operationId: 'searchTweets',
    summary: 'Tweets holding every word of q, newest first',
    description:
      'Posts and replies, never retweet entries. Words of one or two letters and very common ' +
      'words (the, of, with, …) are not indexed and are ignored; a q of only such words, or ' +
      'one that matches nothing, answers an empty page.',
    tags,
    auth: 'required',
    request: { query: SearchTweetsQuery },
    responses: { 200: { description: 'A page of tweets', schema: TweetPage } },
    async handle({ query, viewer }) {
      const page = await searchTweets(viewer.id, query.q, query.cursor, query.limit);
      return { status: 200, json: page };
    },
  }),
];
