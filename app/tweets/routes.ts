import { PageQuery, cursorParam } from '../http/paging';
import { defineRoute } from '../http/route';
import { IdParams, z } from '../http/zod';
import { readHomeTimeline } from './homeTimeline';
import * as engagement from './engagement';
import { bookmark, bookmarksPage, unbookmark } from './bookmarks';
import {
  BookmarkState,
  CreateTweetBody,
  LikeState,
  ReplyPage,
  RetweetState,
  ThreadContext,
  TimelineItem,
  TimelinePage,
  TweetPage,
  TweetSchema,
} from './schemas';
import { createTweet, deleteTweet, popularPage, tweetJson } from './service';
import { contextJson, repliesPage } from './threads';
import { popularCursor } from './popular';

const tags = ['tweets'];

const PopularQuery = z.object({
  limit: PageQuery.shape.limit,
  cursor: cursorParam(popularCursor.decode),
});

export const tweetRoutes = [
  defineRoute({
    method: 'post',
    path: '/tweets',
    operationId: 'createTweet',
    summary: 'Post a tweet, or a reply with replyToId',
    tags,
    auth: 'required',
    request: { body: CreateTweetBody },
    responses: { 201: { description: 'The new tweet', schema: TweetSchema } },
    errors: ['blocked', 'not_found'],
    async handle({ body, viewer }) {
      return { status: 201, json: await createTweet(viewer.id, body.content, body.replyToId) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/tweets',
    operationId: 'listHomeTimeline',
    summary: 'Home timeline: your tweets and retweets and those of whom you follow',
    description: `Newest first, at most the newest TIMELINE_MAX_LENGTH entries (800 by default).`,
    tags,
    auth: 'required',
    request: { query: PageQuery },
    responses: { 200: { description: 'A page of the home timeline', schema: TimelinePage } },
    // The hot path: a warm page is one Redis round trip, the rate-limit point spent in it.
    readAhead: true,
    async handle({ query, viewer, allowed, budget }) {
      const page = await readHomeTimeline(viewer.id, query.cursor, query.limit, allowed, budget);
      return { status: 200, json: page };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/tweets/popular',
    operationId: 'listPopularTweets',
    summary: 'The most engaged tweets of the last 24 hours',
    description: 'Likes, retweets and replies, recent ones weighing more; from a Redis snapshot.',
    tags,
    auth: 'required',
    request: { query: PopularQuery },
    responses: { 200: { description: 'A page of popular tweets', schema: TweetPage } },
    async handle({ query, viewer }) {
      return { status: 200, json: await popularPage(viewer.id, query.cursor, query.limit) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/tweets/:id',
    operationId: 'getTweet',
    summary: 'One tweet (or retweet entry)',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'The tweet', schema: TimelineItem } },
    errors: ['not_found'],
    async handle({ params, viewer }) {
      return { status: 200, json: await tweetJson(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/tweets/:id/replies',
    operationId: 'listReplies',
    summary: 'Direct replies to a tweet, oldest first',
    tags,
    auth: 'required',
    request: { params: IdParams, query: PageQuery },
    responses: { 200: { description: 'A page of replies', schema: ReplyPage } },
    errors: ['not_found'],
    async handle({ params, query, viewer }) {
      const page = await repliesPage(viewer.id, params.id, query.cursor, query.limit);
      return { status: 200, json: page };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/tweets/:id/context',
    operationId: 'getTweetContext',
    summary: 'The chain of tweets a tweet replies to, root first',
    description:
      'At most the nearest 40 ancestors. Deleted ones are left out; the chain goes on above them.',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'The ancestors', schema: ThreadContext } },
    errors: ['not_found'],
    async handle({ params, viewer }) {
      return { status: 200, json: await contextJson(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/tweets/:id',
    operationId: 'deleteTweet',
    summary: 'Delete your tweet (with its retweets and likes); an admin may delete any',
    description:
      "403 `forbidden` for a tweet of someone else, unless you are an admin: an admin's " +
      "delete of another account's tweet is written to the audit log (`GET /admin/audit`).",
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 204: { description: 'Deleted' } },
    errors: ['forbidden', 'not_found'],
    async handle({ params, viewer }) {
      await deleteTweet(viewer.id, params.id);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tweets/:id/like',
    operationId: 'likeTweet',
    summary: 'Like a tweet (idempotent)',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'Liked', schema: LikeState } },
    errors: ['blocked', 'not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await engagement.like(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/tweets/:id/like',
    operationId: 'unlikeTweet',
    summary: 'Take a like back (idempotent)',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'Not liked', schema: LikeState } },
    errors: ['not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await engagement.unlike(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tweets/:id/retweet',
    operationId: 'retweet',
    summary: 'Retweet (idempotent)',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'Retweeted', schema: RetweetState } },
    errors: ['blocked', 'not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await engagement.retweet(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/tweets/:id/retweet',
    operationId: 'undoRetweet',
    summary: 'Undo a retweet (idempotent)',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'Not retweeted', schema: RetweetState } },
    errors: ['not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await engagement.unretweet(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/tweets/:id/bookmark',
    operationId: 'bookmarkTweet',
    summary: 'Bookmark a tweet (idempotent)',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'Bookmarked', schema: BookmarkState } },
    errors: ['not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await bookmark(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/tweets/:id/bookmark',
    operationId: 'unbookmarkTweet',
    summary: 'Take a bookmark away (idempotent)',
    tags,
    auth: 'required',
    request: { params: IdParams },
    responses: { 200: { description: 'Not bookmarked', schema: BookmarkState } },
    errors: ['not_found'],
    async handle({ params, viewer }) {
      return { status: 200, body: await unbookmark(viewer.id, params.id) };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/bookmarks',
    operationId: 'listBookmarks',
    summary: 'Your bookmarked tweets, newest bookmark first',
    description: 'Private: only you see your bookmarks. A deleted tweet leaves the list.',
    tags,
    auth: 'required',
    request: { query: PageQuery },
    responses: { 200: { description: 'A page of bookmarked tweets', schema: TweetPage } },
    async handle({ query, viewer }) {
      return { status: 200, json: await bookmarksPage(viewer.id, query.cursor, query.limit) };
    },
  }),
];
