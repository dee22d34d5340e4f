import { PageQuery } from '../http/paging';
import { defineRoute } from '../http/route';
import { TweetPage } from '../tweets/schemas';
import { TagParams, TrendingTags, tagParam } from './schemas';
import { hashtagTweetsPage } from './service';
import { trendingTags } from './trending';

const tags = ['hashtags'];

export const hashtagRoutes = [
  defineRoute({
    method: 'get',
    path: '/hashtags/trending',
    operationId: 'listTrendingHashtags',
    summary: 'The 10 trending hashtags',
    description:
      'The tags used by the most distinct authors in the last 24 hours, recent use weighing ' +
      'more (halving every 6 hours; an author counts once per tag, at their latest use), with ' +
      'how many authors used each. Served from Redis, renewed at most every 30 seconds.',
    tags,
    auth: 'required',
    responses: { 200: { description: 'The trending tags', schema: TrendingTags } },
    async handle() {
      return { status: 200, body: { data: await trendingTags() } };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/hashtags/:tag/tweets',
    operationId: 'listHashtagTweets',
    summary: 'Tweets using a hashtag, newest first',
    description:
      'Posts and replies whose content holds #tag, matched as the parser stores tags (NFKC, ' +
      'lowercased: #Café, #CAFÉ and #ｃａｆé meet). A tweet using a tag twice is listed once. ' +
      'A valid tag nobody used answers an empty page; one that cannot be a hashtag (emoji or ' +
      'digits only, over 100 code points) answers 400.',
    tags,
    auth: 'required',
    request: { params: TagParams, query: PageQuery },
    responses: { 200: { description: 'A page of tweets', schema: TweetPage } },
    async handle({ params, query, viewer }) {
      const tag = tagParam(params.tag);
      const page = await hashtagTweetsPage(viewer.id, tag, query.cursor, query.limit);
      return { status: 200, json: page };
    },
  }),
];
