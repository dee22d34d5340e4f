import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import ShardedSubscriber from 'ioredis/built/cluster/ShardedSubscriber';
import '../../app/infra/redis'; // guards ShardedSubscriber.prototype.stop

/*
 * On a failover ioredis stops the old master's sharded subscriber and removes its listeners;
 * a `sunsubscribe` Redis pushed as the slot moved can still reach that connection, and
 * ioredis's DataHandler, finding no command waiting, emits `error` on it. With no listener
 * Node threw it and the API process died (test/cluster/realtime.test.ts under load: exit 1,
 * "Command queue state error ... Last reply: sunsubscribe,chirp:0:socket.io#/#user:203#,0").
 */
describe("a Redis Cluster's stopped sharded subscriber", () => {
  it('drops an error its connection emits after the stop instead of throwing it', () => {
    const subscriber = new ShardedSubscriber(new EventEmitter(), { host: '127.0.0.1', port: 1 });
    const connection = subscriber.getInstance()!;
    subscriber.stop(); // lazyConnect: it never connected
    const late = new Error('Command queue state error. Last reply: sunsubscribe,room,0');
    expect(() => connection.emit('error', late)).not.to.throw();
  });
});
