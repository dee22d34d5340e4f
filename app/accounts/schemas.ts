import { z } from '../http/zod';
import { Password } from '../auth/schemas';

/** `{password}` of `DELETE /users/me`: the account's current password, as login takes it. */
export const DeleteAccountBody = z
  .strictObject({
    password: Password.openapi({ description: 'Your current password' }),
  })
  .openapi('DeleteAccountBody');

export const AccountDeletionSchema = z
  .object({
    deleting: z.literal(true).openapi({
      description:
        'The account is gone for everyone from now on; a job removes its rows, after which ' +
        'the username and email are free',
    }),
  })
  .openapi('AccountDeletion');

export type AccountDeletionJson = z.infer<typeof AccountDeletionSchema>;
