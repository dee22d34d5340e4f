import { expect } from 'chai';
import { api, bearer, type TestUser } from '../helpers/http';
import type { Client } from '../helpers/apiNode';
import type { UserBody } from '../helpers/socialGraph';

/** A user as block/mute routes and profiles answer them, with the viewer's flags. */
export type FlaggedUser = UserBody & { blocking?: boolean; muting?: boolean };

export type SafetyAction = 'block' | 'unblock' | 'mute' | 'unmute';

/** `POST /users/:id/<action>` as `viewer`. */
export const actOn = (viewer: TestUser, action: SafetyAction, id: string, client: Client = api()) =>
  client.post(`/users/${id}/${action}`).set(bearer(viewer.accessToken));

/** A block/unblock/mute/unmute that must succeed; answers the target as the viewer sees them. */
export async function act(
  viewer: TestUser,
  action: SafetyAction,
  target: TestUser,
  client: Client = api(),
): Promise<FlaggedUser> {
  const response = await actOn(viewer, action, target.id, client);
  expect(response.status, JSON.stringify(response.body)).to.equal(200);
  return response.body as FlaggedUser;
}
