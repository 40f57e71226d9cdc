// Cross-origin isolation on hosts that do not send COOP/COEP themselves: register public/coi-sw.js,
// which adds them, and reload once it controls the page. Isolation gives SharedArrayBuffer, so
// tfjs-wasm runs its threaded build in the training worker (docs/DEPLOY.md).

const TRIED = 'reasonlab-coi-reload';

/**
 * Resolves true when the app may start now; false when the page is about to reload under the
 * service worker. Never reloads twice in a row: a browser that stays unisolated runs on one thread.
 */
export async function ensureIsolation(): Promise<boolean> {
  if (window.crossOriginIsolated) {
    sessionStorage.removeItem(TRIED);
    return true;
  }
  // Service workers need a secure context (https or localhost); without one, one thread it is.
  if (!window.isSecureContext || !('serviceWorker' in navigator)) return true;
  if (sessionStorage.getItem(TRIED)) {
    sessionStorage.removeItem(TRIED);
    console.info('reasonlab: the page is not cross-origin isolated even with coi-sw.js; wasm runs on one thread (docs/DEPLOY.md)');
    return true;
  }
  try {
    // Relative to the page, so the worker's scope is the folder the app is served from.
    await navigator.serviceWorker.register(new URL('coi-sw.js', document.baseURI));
    await navigator.serviceWorker.ready;
    // clients.claim() makes it this page's controller. After a hard reload (which bypasses service
    // workers) it never does; the plain reload below goes through it either way.
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) => {
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
        setTimeout(resolve, 2000);
      });
    }
    sessionStorage.setItem(TRIED, '1');
    location.reload();
    return false;
  } catch (e) {
    console.info(`reasonlab: could not register coi-sw.js (${e instanceof Error ? e.message : String(e)}); wasm runs on one thread`);
    return true;
  }
}
