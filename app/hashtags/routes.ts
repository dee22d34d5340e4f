import { PageQuery } from '../http/paging';
import { defineRoute } from '../http/route';
import { TweetPage } from '../tweets/schemas';
import { TagParams, tagParam } from './schemas';
import { hashtagTweetsPage } from './service';

const tags = ['hashtags'];

export const hashtagRoutes = [
  defineRoute({
    method: 'get',
    path: '/hashtags/:tag/tweets',
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
