// The static server: MIME types, security headers, and no path out of dist/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, CSP } from '../../scripts/serve.mjs';
import { DIST } from './helpers.mjs';

let server;
let port;
before(async () => {
  server = await startServer({ root: DIST, port: 0 });
  port = server.address().port;
});
after(() => new Promise((resolve) => server.close(resolve)));

// Raw requests, so that "../" reaches the server unnormalised.
function get(rawPath) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves the page and the wasm with the right types and headers', async () => {
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.match(index.headers['content-type'], /^text\/html/);
  assert.equal(index.headers['content-security-policy'], CSP);
  assert.equal(index.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(index.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.ok(index.body.includes(`content="${CSP}"`), 'the same CSP is in a meta tag');
  const wasm = await get('/pkg/mmoe_bg.wasm');
  assert.equal(wasm.status, 200);
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.match((await get('/main.js')).headers['content-type'], /^text\/javascript/);
});

test('never serves a file outside dist/', async () => {
  for (const p of ['/../package.json', '/..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/pkg/../../Cargo.toml',
    '/..\\package.json', '/%00index.html', '/nope.html']) {
    const res = await get(p);
    assert.equal(res.status, 404, `${p} -> ${res.status}`);
    assert.ok(!res.body.includes('"devDependencies"') && !res.body.includes('[package]') && !res.body.includes('root:'));
  }
});
