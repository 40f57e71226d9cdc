// The experiment lives in the URL: flat `key=value` parameters with the keys of applyOverrides
// (e.g. ?task=addition&digits=2&preset=nano&train.steps=40), or `?cfg=` holding the same as a
// compact JSON object. `backend=webgpu|webgl|wasm|cpu` forces a backend and is not a setting.

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
  for (const [k, v] of q) if (k !== 'backend' && k !== 'cfg') params[k] = v;
  return { params, backend: q.get('backend') ?? 'auto' };
}

export function writeUrl(params: Record<string, string>, backend: string): void {
  const q = new URLSearchParams();
  if (backend !== 'auto') q.set('backend', backend);
  const order = (k: string) => (k === 'task' ? 0 : k === 'stage' ? 1 : k === 'preset' ? 2 : 3);
  for (const k of Object.keys(params).sort((a, b) => order(a) - order(b))) q.set(k, params[k]!);
  const s = q.toString();
  const url = `${location.pathname}${s ? `?${s}` : ''}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
}
