// Above the charts: the x axis choice and the metric exports, and the note of the demo on screen
// (what to watch first; what was measured one click away).

import type { Demo } from './demos.ts';

export function Toolbar(props: { xMode: 'step' | 'time'; onXMode: (m: 'step' | 'time') => void; canExport: boolean; onExport: (kind: 'csv' | 'json') => void; compared: number }) {
  return (
    <div className="toolbar">
      <label>
        x axis{' '}
        <select value={props.xMode} onChange={(e) => props.onXMode(e.target.value as 'step' | 'time')}>
          <option value="step">step</option>
          <option value="time">time</option>
        </select>
      </label>
      <button type="button" className="small" disabled={!props.canExport} onClick={() => props.onExport('csv')}>
        metrics CSV
      </button>
      <button type="button" className="small" disabled={!props.canExport} onClick={() => props.onExport('json')}>
        metrics JSON
      </button>
      {props.compared > 0 && <span className="muted">comparing with {props.compared} saved run(s): one colour per run</span>}
    </div>
  );
}

export function DemoNote({ demo }: { demo: Demo }) {
  return (
    <section className="panel demo-note" data-testid="demo-note">
      <h2>{demo.title}</h2>
      <p>{demo.watch}</p>
      <details>
        <summary className="muted">what was measured</summary>
        <p className="muted">{demo.blurb}</p>
      </details>
    </section>
  );
}
