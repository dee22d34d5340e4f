import { notFound } from '../errors';
import { PageQuery, pageOf } from '../http/paging';
import { defineRoute } from '../http/route';
import { IdParams } from '../http/zod';
import { hydrateTweets } from '../tweets/cache';
import { authorEntryIds } from '../tweets/authorTweets';
import { TweetPage } from '../tweets/schemas';
import { pageJson } from '../tweets/presenter';
import { encodeCursor } from '../http/paging';
import { User } from '../../models';
import { presentUser } from './presenter';
import { UserSchema } from './schemas';
import { follow, listConnections, unfollow, userJson } from './service';

const tags = ['users'];
const UserPage = pageOf(UserSchema, 'UserPage');

export const userRoutes = [
  defineRoute({
    method: 'get',
    path: '/users/me',
    summary: 'The signed-in user',
    tags,
    auth: 'required',
    responses: { 200: { description: 'The caller', schema: UserSchema } },
    async handle({ viewer }) {
      const user = await User.findByPk(viewer.id);
      if (!user) throw notFound('user');
      return { status: 200, body: presentUser(user) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/:id',
    summary: 'A user, with whether you follow them',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'The user', schema: UserSchema } },
    errors: ['not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await userJson(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/users/:id/follow',
    summary: 'Follow a user (idempotent)',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'The user, now followed', schema: UserSchema } },
    errors: ['cannot_follow_self', 'not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await follow(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/users/:id/unfollow',
    summary: 'Unfollow a user (idempotent)',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'The user, no longer followed', schema: UserSchema } },
    errors: ['not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await unfollow(viewer.id, params.id) };
    },
  }),
  ...(['followers', 'following'] as const).map((direction) =>
    defineRoute({
      method: 'get',
      path: `/users/:id/${direction}`,
      summary: direction === 'followers' ? 'Who follows a user' : 'Whom a user follows',
      tags,
      auth: 'required',
      request: { params: IdParams, query: PageQuery },
      responses: { 200: { description: 'A page of users, newest follow first', schema: UserPage } },
      errors: ['not_found'],
      async handle({ params, query, viewer }) {
        return {
          status: 200,
          body: await listConnections(viewer.id, params.id, direction, query.cursor, query.limit),
        };
      },
    }),
  ),
  defineRoute({
    method: 'get',
    path: '/users/:id/tweets',
    summary: "A user's tweets and retweets, newest first",
    tags,
    auth: 'required',
    request: { params: IdParams, query: PageQuery },
    responses: { 200: { description: 'A page of tweets', schema: TweetPage } },
    errors: ['not_found'],
    async handle({ params, query, viewer }) {
      const ids = await authorEntryIds(params.id, query.cursor, query.limit + 1);
      if (!ids) throw notFound('user');
      const page = ids.slice(0, query.limit);
      const texts = (await hydrateTweets(viewer.id, page)).filter((t): t is string => t !== null);
      const next = ids.length > query.limit ? encodeCursor(page[page.length - 1]) : null;
      return { status: 200, json: pageJson(texts, next) };
    },
  }),
];
