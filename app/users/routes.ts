import { PageQuery, TimePageQuery, pageOf } from '../http/paging';
import { defineRoute } from '../http/route';
import { IdParams } from '../http/zod';
import { TweetPage } from '../tweets/schemas';
import { authorTweetsPage } from '../tweets/service';
import { likedTweetsPage } from '../tweets/likedTweets';
import { UpdateProfileBody, UserSchema, UsernameParams } from './schemas';
import {
  follow,
  listConnections,
  profileJson,
  unfollow,
  updateOwnProfile,
  userJsonByUsername,
  viewerJson,
} from './service';
import { likersPage } from './likers';
import { block, listBlocksOrMutes, mute, unblock, unmute } from './safety';
import type { ErrorCode } from '../http/errors';
import type { UserJson } from './schemas';

const tags = ['users'];
const UserPage = pageOf(UserSchema, 'UserPage');

/** Block, unblock, mute, unmute: four routes of one shape (as follow and unfollow). */
const SAFETY_ACTIONS: {
  action: string;
  summary: string;
  description: string;
  answer: string;
  errors: ErrorCode[];
  run: (viewerId: string, targetId: string) => Promise<UserJson>;
}[] = [
  {
    action: 'block',
    summary: 'Block a user (idempotent)',
    description:
      'Ends the follows between you both (either way) and takes each one’s tweets out of the ' +
      'other’s home timeline. Neither of you can then follow, reply to, like or retweet the ' +
      'other (403 `blocked`), and you never see their tweets, retweets or notifications. At ' +
      'most 10,000 blocks: the next answers 409 `limit_reached`.',
    answer: 'The user, now blocked',
    errors: ['cannot_block_self', 'limit_reached', 'not_found'],
    run: block,
  },
  {
    action: 'unblock',
    summary: 'Unblock a user (idempotent)',
    description: 'Follows that the block ended do not come back.',
    answer: 'The user, no longer blocked',
    errors: ['not_found'],
    run: unblock,
  },
  {
    action: 'mute',
    summary: 'Mute a user (idempotent)',
    description:
      'Their tweets and retweets leave your home timeline and their notifications are neither ' +
      'shown nor sent. They are not told, and may still follow you. At most 10,000 mutes: the ' +
      'next answers 409 `limit_reached`.',
    answer: 'The user, now muted',
    errors: ['cannot_mute_self', 'limit_reached', 'not_found'],
    run: mute,
  },
  {
    action: 'unmute',
    summary: 'Unmute a user (idempotent)',
    description: 'If you follow them, their recent tweets come back into your home timeline.',
    answer: 'The user, no longer muted',
    errors: ['not_found'],
    run: unmute,
  },
];

export const userRoutes = [
  defineRoute({
    method: 'get',
    path: '/users/me',
    operationId: 'getCurrentUser',
    summary: 'The signed-in user',
    tags,
    auth: 'required',
    responses: { 200: { description: 'The caller', schema: UserSchema } },
    async handle({ viewer }) {
      return { status: 200, body: await viewerJson(viewer.id) };
    },
  }),
  defineRoute({
    method: 'patch',
    path: '/users/me',
    operationId: 'updateCurrentUser',
    summary: 'Change your display name and/or bio',
    description:
      'Give `displayName`, `bio` or both; any other field is refused. Your tweets show a new ' +
      'display name from the next read on.',
    tags,
    auth: 'required',
    request: { body: UpdateProfileBody },
    responses: { 200: { description: 'The caller, as changed', schema: UserSchema } },
    async handle({ body, viewer }) {
      return { status: 200, body: await updateOwnProfile(viewer.id, body) };
    },
  }),
  ...(['blocks', 'mutes'] as const).map((list) =>
    defineRoute({
      method: 'get',
      path: `/users/me/${list}`,
      operationId: list === 'blocks' ? 'listBlockedUsers' : 'listMutedUsers',
      summary: list === 'blocks' ? 'Users you block' : 'Users you mute',
      tags,
      auth: 'required',
      request: { query: PageQuery },
      responses: {
        200: {
          description: `A page of users, newest ${list.slice(0, -1)} first`,
          schema: UserPage,
        },
      },
      async handle({ query, viewer }) {
        return {
          status: 200,
          body: await listBlocksOrMutes(viewer.id, list, query.cursor, query.limit),
        };
      },
    }),
  ),
  // Before the `/users/:id/…` routes: a user may be named `followers` or `tweets`.
  defineRoute({
    method: 'get',
    path: '/users/by-username/:username',
    operationId: 'getUserByUsername',
    summary: 'A user by username (any case), with whether you follow them',
    description:
      'A name the username rule refuses names nobody: 404, as an impossible id is. A user who ' +
      'blocks you answers 404 too.',
    tags,
    auth: 'required',
    request: { params: UsernameParams },
    responses: { 200: { description: 'The user', schema: UserSchema } },
    errors: ['not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await userJsonByUsername(viewer.id, params.username) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/:id',
    operationId: 'getUser',
    summary: 'A user, with whether you follow them',
    description:
      'A user who blocks you answers 404, as one who does not exist; one you block is shown ' +
      '(`blocking: true`), but their tweets and lists answer 404 to you.',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'The user', schema: UserSchema } },
    errors: ['not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await profileJson(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/users/:id/follow',
    operationId: 'followUser',
    summary: 'Follow a user (idempotent)',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'The user, now followed', schema: UserSchema } },
    errors: ['cannot_follow_self', 'blocked', 'not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await follow(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/users/:id/unfollow',
    operationId: 'unfollowUser',
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
  ...SAFETY_ACTIONS.map(({ action, summary, description, answer, errors, run }) =>
    defineRoute({
      method: 'post',
      path: `/users/:id/${action}`,
      operationId: `${action}User`,
      summary,
      description,
      tags,
      auth: 'required',
      request: { params: IdParams },
      responses: { 200: { description: answer, schema: UserSchema } },
      errors,
      async handle({ params, viewer }) {
        return { status: 200, body: await run(viewer.id, params.id) };
      },
    }),
  ),
  ...(['followers', 'following'] as const).map((direction) =>
    defineRoute({
      method: 'get',
      path: `/users/:id/${direction}`,
      operationId: direction === 'followers' ? 'listFollowers' : 'listFollowing',
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
    operationId: 'listUserTweets',
    summary: "A user's tweets and retweets, newest first",
    tags,
    auth: 'required',
    request: { params: IdParams, query: PageQuery },
    responses: { 200: { description: 'A page of tweets', schema: TweetPage } },
    errors: ['not_found'],
    // A warm page is one Redis round trip, the rate-limit point spent in it (as the home page).
    readAhead: true,
    async handle({ params, query, viewer, allowed, budget }) {
      const page = await authorTweetsPage(
        viewer.id,
        params.id,
        query.cursor,
        query.limit,
        allowed,
        budget,
      );
      return { status: 200, json: page };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/users/:id/likes',
    operationId: 'listUserLikes',
    summary: 'Tweets a user liked, newest like first',
    tags,
    auth: 'required',
    request: { params: IdParams, query: TimePageQuery },
    responses: { 200: { description: 'A page of liked tweets', schema: TweetPage } },
    errors: ['not_found'],
    async handle({ params, query, viewer }) {
      const page = await likedTweetsPage(viewer.id, params.id, query.cursor, query.limit);
      return { status: 200, json: page };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/tweets/:id/likes',
    operationId: 'listTweetLikers',
    summary: 'Who liked a tweet, newest like first',
    tags: ['tweets'],
    auth: 'required',
    request: { params: IdParams, query: TimePageQuery },
    responses: { 200: { description: 'A page of users, newest like first', schema: UserPage } },
    errors: ['not_found'],
    async handle({ params, query, viewer }) {
      return {
        status: 200,
        body: await likersPage(viewer.id, params.id, query.cursor, query.limit),
      };
    },
  }),
];
