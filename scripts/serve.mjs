#!/usr/bin/env node
// A tiny static file server for the built page (no dependencies).
//
//   node scripts/serve.mjs [ROOT]      (ROOT defaults to dist/; PORT and HOST from the env)
//
// It serves only files inside ROOT, with the right MIME types (application/wasm for the
// trainer), cross-origin isolation headers and the page's Content-Security-Policy.
// The end-to-end tests import `startServer` to serve dist/ on a free port.

import { createServer } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'";

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/** Cross-origin isolation (COOP/COEP), which SharedArrayBuffer and wasm threads need. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': CSP,
  ...ISOLATION_HEADERS,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Maps a request path to a file inside `root`, or null when it would leave `root`. */
async function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = path.posix.normalize('/' + decoded).replace(/^\/+/, '');
  if (relative.split('/').includes('..')) return null;
  let file = path.join(root, relative);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  try {
    let stat = await fs.stat(file);
    if (stat.isDirectory()) {
      file = path.join(file, 'index.html');
      stat = await fs.stat(file);
    }
    if (!stat.isFile()) return null;
    // A symbolic link must not lead out of root either.
    const real = await fs.realpath(file);
    if (!real.startsWith(root + path.sep)) return null;
    return { file: real, size: stat.size };
  } catch {
    return null;
  }
}

/**
 * Starts serving `root` with `headers` on every response (the page's CSP and isolation
 * by default); resolves to the listening server once it is bound.
 */
export async function startServer({ root, port = 8080, host = '127.0.0.1', headers = SECURITY_HEADERS } = {}) {
  const realRoot = await fs.realpath(path.resolve(root));
  const send = (res, status, text) => {
    res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  };
  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed\n');
    }
    let pathname;
    try {
      pathname = new URL(req.url, 'http://localhost').pathname;
    } catch {
      return send(res, 400, 'bad request\n');
    }
    const found = await resolveInside(realRoot, pathname);
    if (!found) return send(res, 404, 'not found\n');
    const type = MIME[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, {
      ...headers,
      'Content-Type': type,
      'Content-Length': found.size,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(found.file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = process.argv[2] ?? path.join(here, '..', 'dist');
  const port = Number.parseInt(process.env.PORT ?? '8080', 10);
  const host = process.env.HOST ?? '127.0.0.1';
  try {
    await fs.access(path.join(root, 'index.html'));
  } catch {
    console.error(`serve: ${root}/index.html not found; run scripts/build-web.sh first`);
    process.exit(1);
  }
  const server = await startServer({ root, port, host }).catch((e) => {
    console.error(`serve: cannot listen on ${host}:${port}: ${e.message}`);
    process.exit(1);
  });
  const { port: bound } = server.address();
  console.log(`MMoE Playground: http://${host}:${bound}/  (serving ${path.resolve(root)}; Ctrl-C stops)`);
}
