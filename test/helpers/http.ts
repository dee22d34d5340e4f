import type { Server } from 'node:http';
import http from 'node:http';
import supertest from 'supertest';
import { createApp } from '../../app/server';

let server: Server | undefined;

/** A supertest agent on one in-process API node (real MySQL and Redis behind it). */
export function api() {
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Koa's callback is the listener
  server ??= http.createServer(createApp().callback());
  return supertest(server);
}

let counter = 0;

/** A username/email pair no other test uses. */
export function uniqueHandle(prefix = 'u'): { username: string; email: string } {
  counter += 1;
  const suffix = `${process.pid.toString(36)}${counter.toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const username = `${prefix}_${suffix}`.slice(0, 15);
  return { username, email: `${username}@example.test` };
}

export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a fresh user through the API and returns its credentials. */
export async function registerUser(
  overrides: Partial<{
    username: string;
    email: string;
    password: string;
    displayName: string;
  }> = {},
): Promise<TestUser> {
  const handle = uniqueHandle();
  const body = { ...handle, password: 'correct horse battery', ...overrides };
  const response = await api().post('/auth/register').send(body);
  if (response.status !== 201) {
    throw new Error(`register answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  const { user, accessToken, refreshToken } = response.body as {
    user: { id: string };
    accessToken: string;
    refreshToken: string;
  };
  return {
    id: user.id,
    username: body.username,
    email: body.email,
    password: body.password,
    accessToken,
    refreshToken,
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
