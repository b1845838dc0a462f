// A tiny static server for the benchmark page: cross-origin isolated (COOP/COEP), so TF.js
// can use wasm threads (SharedArrayBuffer). Unlike scripts/serve.mjs it sends no CSP: the
// TF.js threaded backend starts its workers from blob: URLs.
import { createServer } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { MIME, resolveInside } from '../../scripts/serve.mjs';

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

/** Serves `root` on 127.0.0.1 (a free port unless given); resolves to the server. */
export async function serveIsolated(root, port = 0) {
  const realRoot = await fs.realpath(path.resolve(root));
  const server = createServer(async (req, res) => {
    const pathname = new URL(req.url, 'http://localhost').pathname;
    const found = await resolveInside(realRoot, pathname);
    if (!found) {
      res.writeHead(404, HEADERS);
      return res.end('not found\n');
    }
    const type = MIME[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { ...HEADERS, 'Content-Type': type, 'Content-Length': found.size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(found.file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}
