// The experiment lives in the URL: flat `key=value` parameters with the keys of applyOverrides
// (e.g. ?task=addition&digits=2&preset=nano&train.steps=40), or `?cfg=` holding the same as a
// compact JSON object. `backend=webgpu|webgl|wasm|cpu` forces a backend and `threads=N` sets the
// wasm thread count (1: the single-threaded build); neither is a setting. The app carries both as
// one backend string, `wasm:2`, which the worker's init() reads.

export function readUrl(): { params: Record<string, string>; backend: string } {
  const q = new URLSearchParams(location.search);
  const params: Record<string, string> = {};
  const cfg = q.get('cfg');
  if (cfg) {
    try {
      const o = JSON.parse(cfg) as Record<string, unknown>;
      if (o && typeof o === 'object' && !Array.isArray(o)) for (const [k, v] of Object.entries(o)) params[k] = String(v);
    } catch {
      // A broken cfg= is reported by the config check as an unknown setting below.
      params.cfg = cfg;
    }
  }
  for (const [k, v] of q) if (k !== 'backend' && k !== 'cfg' && k !== 'threads') params[k] = v;
  const threads = q.get('threads');
  return { params, backend: (q.get('backend') ?? 'auto') + (threads ? `:${threads}` : '') };
}

export function writeUrl(params: Record<string, string>, backendAndThreads: string): void {
  const q = new URLSearchParams();
  const [backend, threads] = backendAndThreads.split(':');
  if (backend && backend !== 'auto') q.set('backend', backend);
  if (threads) q.set('threads', threads);
  const order = (k: string) => (k === 'task' ? 0 : k === 'stage' ? 1 : k === 'preset' ? 2 : 3);
  for (const k of Object.keys(params).sort((a, b) => order(a) - order(b))) q.set(k, params[k]!);
  const s = q.toString();
  const url = `${location.pathname}${s ? `?${s}` : ''}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
}
