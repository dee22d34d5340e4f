import { expect } from 'chai';
import type { Response } from 'supertest';

/** Asserts an RFC 9457 problem answer with that status and stable `code`. */
export function expectProblem(response: Response, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  expect(response.type).to.equal('application/problem+json');
  expect(response.body).to.include({ status, code });
}
