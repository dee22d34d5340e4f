import { redis } from '../infra/redis';
import { withScripts, type ScriptPipeline } from './scripts';

/** The main Redis connection with Chirp's timeline and cache scripts on it. */
export const store = withScripts(redis);

/** A pipeline on the main connection on which the scripts can be queued too. */
export const scriptPipeline = (): ScriptPipeline => store.pipeline() as unknown as ScriptPipeline;
