import { notFound } from '../errors';
import { defineRoute } from '../http/route';
import { User } from '../../models';
import { presentUser } from './presenter';
import { UserSchema } from './schemas';

export const userRoutes = [
  defineRoute({
    method: 'get',
    path: '/users/me',
    summary: 'The signed-in user',
    tags: ['users'],
    auth: 'required',
    responses: { 200: { description: 'The caller', schema: UserSchema } },
    async handle({ viewer }) {
      const user = await User.findByPk(viewer.id);
      if (!user) throw notFound('user');
      return { status: 200, body: presentUser(user) };
    },
  }),
];
