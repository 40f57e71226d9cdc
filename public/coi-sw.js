// Cross-origin isolation for static hosts that cannot send headers (e.g. GitHub Pages): this
// service worker re-serves every response of its scope with COOP same-origin and COEP
// require-corp, so the page gets SharedArrayBuffer and tfjs-wasm its threaded build. Registered
// by src/ui/isolation.ts only when the page is not isolated already. The technique is the one
// of coi-serviceworker (github.com/gzuidhof/coi-serviceworker); docs/DEPLOY.md has the details.

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const req = event.request;
  // A request the browser may only answer from its cache cannot be re-fetched here.
  if (req.cache === 'only-if-cached' && req.mode !== 'same-origin') return;
  event.respondWith(
    fetch(req).then((res) => {
      // Opaque (cross-origin no-cors) and error responses cannot be rewritten; COEP then blocks
      // what it must, which is the browser's call, not ours. The app loads nothing cross-origin.
      if (res.status === 0) return res;
      const headers = new Headers(res.headers);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
      if (!headers.has('Cross-Origin-Resource-Policy')) headers.set('Cross-Origin-Resource-Policy', 'same-origin');
      return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
    }),
  );
});
