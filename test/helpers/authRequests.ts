import { expect } from 'chai';
import { api, bearer, type TestUser } from './http';

/** The calls of the auth contract, as a client makes them (answers are not checked). */
export const login = (body: Record<string, unknown>) => api().post('/auth/login').send(body);

export const refresh = (refreshToken: string) => api().post('/auth/refresh').send({ refreshToken });

export const logout = (accessToken: string, refreshToken: string) =>
  api().post('/auth/logout').set(bearer(accessToken)).send({ refreshToken });

export const getMe = (accessToken: string) => api().get('/users/me').set(bearer(accessToken));

export interface Session {
  accessToken: string;
  refreshToken: string;
}

/** Signs a user in once more (a new session, i.e. a new refresh-token family). */
export async function signIn(user: Pick<TestUser, 'username' | 'password'>): Promise<Session> {
  const response = await login({ username: user.username, password: user.password });
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  const { accessToken, refreshToken } = response.body as Session;
  return { accessToken, refreshToken };
}

/** Exchanges a refresh token that must still be good for the next pair. */
export async function rotate(refreshToken: string): Promise<Session> {
  const response = await refresh(refreshToken);
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  const { accessToken, refreshToken: next } = response.body as Session;
  return { accessToken, refreshToken: next };
}
