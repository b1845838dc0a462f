// The benchmark page's server: scripts/serve.mjs, cross-origin isolated (COOP/COEP) so
// TF.js can use wasm threads (SharedArrayBuffer), but without the page's CSP: the TF.js
// threaded backend starts its workers from blob: URLs.
import { startServer, ISOLATION_HEADERS } from '../../scripts/serve.mjs';

/** Serves `root` on 127.0.0.1 (a free port unless given); resolves to the server. */
export function serveIsolated(root, port = 0) {
  return startServer({ root, port, headers: { ...ISOLATION_HEADERS, 'Cache-Control': 'no-cache' } });
}
