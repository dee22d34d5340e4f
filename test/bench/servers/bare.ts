/**
 * The bench's bare server, a process of its own: node:http answering fixed bytes, the ceiling
 * any Node server on this machine can reach. The bench sends it the body to answer (the same
 * bytes Chirp answered for the read being measured) over IPC, before each run.
 */
import http from 'node:http';

let body = Buffer.from('{}');

const server = http.createServer((_request, response) => {
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
  });
  response.end(body);
});

process.on('message', (message: { body: string }) => {
  body = Buffer.from(message.body, 'utf8');
  process.send?.('set');
});
process.on('disconnect', () => process.exit(0));
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
