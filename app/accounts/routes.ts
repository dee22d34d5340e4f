import { defineRoute } from '../http/route';
import { deleteOwnAccount } from './deletion';
import { AccountDeletionSchema, DeleteAccountBody } from './schemas';

export const accountRoutes = [
  defineRoute({
    method: 'delete',
    path: '/users/me',
    operationId: 'deleteCurrentUser',
    summary: 'Delete your account',
    description:
      'Give your current password. The answer comes at once (202): from then on the account ' +
      'is gone for everyone (its profile and tweets answer 404 and leave every list), every ' +
      'session ends (access and refresh tokens answer 401, sockets are cut on every node) and ' +
      'signing in answers 401 `invalid_credentials`. A job then removes its tweets, retweets, ' +
      'likes, bookmarks, follows, blocks, mutes and notifications, setting every counter they ' +
      'touched, and finally the account itself: its username and email are free once it ends.',
    tags: ['users'],
    auth: 'required',
    request: { body: DeleteAccountBody },
    errors: ['invalid_credentials'],
    responses: {
      202: { description: 'The account is being deleted', schema: AccountDeletionSchema },
    },
    async handle({ body, viewer }) {
      return { status: 202, body: await deleteOwnAccount(viewer.id, body.password) };
    },
  }),
];
