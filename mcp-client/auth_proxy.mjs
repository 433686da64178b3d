// A loopback HTTP proxy that adds "Authorization: Bearer <token>" to every request, so that
// clients that cannot send a header (the conformance suite's CLI) reach gridpilot-mcp as
// a stack identity. Test-only. Streams both ways (server-sent events pass through).
//   node auth_proxy.mjs --target http://127.0.0.1:PORT --token_file FILE --port_file FILE
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 ? pairs : [...pairs, [all[i].replace(/^--/, ''), all[i + 1]]]), []));
const target = new URL(args.target);
const token = readFileSync(args.token_file, 'utf8').trim();

const server = http.createServer((req, res) => {
  const headers = { ...req.headers, authorization: `Bearer ${token}` };
  const upstream = http.request(
    { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
  upstream.on('error', () => { res.writeHead(502); res.end(); });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
});
server.listen(0, '127.0.0.1', () => writeFileSync(args.port_file, `${server.address().port}\n`));
