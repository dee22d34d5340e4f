import { pageOf } from '../http/paging';
import { defineRoute } from '../http/route';
import { TweetPage } from '../tweets/schemas';
import { UserSchema } from '../users/schemas';
import { SearchTweetsQuery, SearchUsersQuery } from './schemas';
import { searchTweets, searchUsers } from './service';

const tags = ['search'];
const UserSearchPage = pageOf(UserSchema, 'UserSearchPage');

export const searchRoutes = [
  defineRoute({
    method: 'get',
    path: '/search/users',
    summary: 'Users whose username or display name starts with q (any case), most followers first',
    description:
      'Ties go newest account first. A q that matches nobody answers an empty page. The order ' +
      'is live: a user whose follower count changes while you page may move.',
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
