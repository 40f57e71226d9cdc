// Browser-only: tfjs-wasm hands each pthread worker its threaded module as a Blob made from
// `factory.toString()`. After minification that source refers to a variable of the enclosing
// bundle scope (the minifier folds `typeof _scriptDir < "u" && _scriptDir` into a bare name), so
// the worker fails with "e is not defined". Workers get the unminified module file instead.

interface LoadMessage {
  cmd?: string;
  urlOrBlob?: unknown;
}

let installed = false;

/** Wrap this scope's Worker so that pthread 'load' messages carry `moduleUrl` instead of the Blob. */
export function loadPthreadsFrom(moduleUrl: string): void {
  if (installed || typeof Worker === 'undefined') return;
  const Base = Worker;
  class PthreadWorker extends Base {
    override postMessage(msg: unknown, transfer?: StructuredSerializeOptions | Transferable[]): void {
      const m = msg as LoadMessage | null;
      if (m?.cmd === 'load' && typeof Blob !== 'undefined' && m.urlOrBlob instanceof Blob) msg = { ...m, urlOrBlob: moduleUrl };
      super.postMessage(msg, transfer as StructuredSerializeOptions);
    }
  }
  globalThis.Worker = PthreadWorker;
  installed = true;
}
