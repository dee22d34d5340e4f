/**
 * Chirp's typed client for apps: REST typed from the OpenAPI document, realtime events typed
 * from the event map. Regenerate src/generated/ with `npm run client:generate`.
 */
export { ChirpApiError, ChirpClient, type ChirpClientOptions, type Tokens } from './http';
export { connectRealtime, type ChirpSocket, type Realtime, type RealtimeOptions } from './realtime';
export type { EventPayload, RealtimeEvent, ServerToClientEvents } from './generated/events';
export type { components, operations, paths } from './generated/openapi';
export type {
  HttpMethod,
  Operation,
  PathsWith,
  Problem,
  RequestOptions,
  Schemas,
  SuccessBody,
} from './types';
