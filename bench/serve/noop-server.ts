/**
 * L_http: a node:http endpoint that reads the same request body and answers a fixed response of the
 * same size as the model's, doing nothing else. `node --import tsx noop-server.ts PORT RESPONSE`.
 */
import { createServer } from 'node:http';

const [port, response = '[]'] = process.argv.slice(2);
const length = String(Buffer.byteLength(response));
createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': length });
    res.end(response);
  });
}).listen(Number(port), '127.0.0.1');
