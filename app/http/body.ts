import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import zlib from 'node:zlib';
import { AppError } from './errors';
import type { AppContext } from './context';

/** The largest body read, counted on the wire and again once decompressed (zip bombs). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Keys that JSON.parse keeps as own properties but that name an object's prototype
 * machinery: dropped wherever they sit, so no later spread or merge can reach a prototype.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Content-Encodings read, and the decoder of each (null: the bytes are the body). */
const DECODERS: Record<string, (() => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress) | null> =
  {
    '': null,
    identity: null,
    gzip: () => zlib.createGunzip(),
    'x-gzip': () => zlib.createGunzip(),
    deflate: () => zlib.createInflate(),
    br: () => zlib.createBrotliDecompress(),
  };

const tooLarge = () => new AppError('payload_too_large', 'The request body is over 1 MB.');
const malformed = (detail: string) => new AppError('malformed_json', detail);

/**
 * Collects a body up to the limit. On a refusal the rest of the request is read and dropped
 * (not destroyed), so the connection stays in step and the client gets the answer.
 */
function collect(req: IncomingMessage, decoder: Transform | null): Promise<Buffer> {
  const source = decoder ?? req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: AppError | null) => {
      if (settled) return;
      settled = true;
      if (error) {
        if (decoder) {
          req.unpipe(decoder);
          decoder.destroy();
        }
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) settle(tooLarge());
      else chunks.push(chunk);
    });
    source.once('end', () => settle(null));
    source.once('error', () => settle(malformed('The request body could not be decompressed.')));
    req.once('error', () => settle(malformed('The request body ended early.')));
    req.once('close', () => req.complete || settle(malformed('The request body ended early.')));
    if (decoder) req.pipe(decoder);
  });
}

function parse(bytes: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformed('The request body is not valid UTF-8.');
  }
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text, (key, item: unknown) => (PROTOTYPE_KEYS.has(key) ? undefined : item));
  } catch {
    throw malformed('The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null) {
    throw malformed('The request body must be a JSON object.');
  }
  return value;
}

/**
 * Reads a route's JSON body: refused by its declared length before a byte is read, then
 * decoded (identity, gzip, deflate or br) and capped at BODY_LIMIT_BYTES once inflated.
 * No body is `{}`. Every failure is a client error (400, 413 or 415), never a 500.
 */
export async function readJsonBody(ctx: AppContext): Promise<unknown> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > BODY_LIMIT_BYTES) throw tooLarge();
  if (declared === 0 || (declared === undefined && !ctx.get('Transfer-Encoding'))) return {};
  if (!ctx.is('json')) {
    throw new AppError('unsupported_media_type', 'Send the body as application/json.');
  }
  const encoding = ctx.get('Content-Encoding').trim().toLowerCase();
  const decoder = Object.hasOwn(DECODERS, encoding) ? DECODERS[encoding] : undefined;
  if (decoder === undefined) {
    throw new AppError(
      'unsupported_media_type',
      'Send the body uncompressed or with Content-Encoding gzip, deflate or br.',
    );
  }
  return parse(await collect(ctx.req, decoder && decoder()));
}
