import { defineRoute } from '../http/route';
import { MarkReadBody, NotificationPage, NotificationQuery } from './schemas';
import { listNotifications, markRead } from './service';

const tags = ['notifications'];

export const notificationRoutes = [
  defineRoute({
    method: 'get',
    path: '/notifications',
    operationId: 'listNotifications',
    summary: 'Your notifications, newest first',
    tags,
    auth: 'required',
    request: { query: NotificationQuery },
    responses: { 200: { description: 'A page of notifications', schema: NotificationPage } },
    async handle({ query, viewer }) {
      const { cursor, limit, type } = query;
      return { status: 200, json: await listNotifications(viewer.id, cursor, limit, type) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/notifications/read',
    operationId: 'markNotificationsRead',
    summary: 'Mark notifications read: the ids given, or all of them',
    tags,
    auth: 'required',
    request: { body: MarkReadBody },
    responses: { 204: { description: 'Marked read' } },
    async handle({ body, viewer }) {
      await markRead(viewer.id, body.ids);
      return { status: 204 };
    },
  }),
];
