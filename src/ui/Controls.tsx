// The run's settings as a form over flat parameters (the keys of applyOverrides, as in the URL):
// task and its knobs, data, model, SFT, RL, seed. Each field edits one parameter; the worker
// validates the whole config and its message shows under the form.

import { memo, useEffect, useState, type ReactNode } from 'react';
import type { AppInfo, ResolvedConfig } from '../worker/protocol.ts';

export type SetParam = (key: string, value: string | null, aliases?: string[]) => void;

interface FieldProps {
  label: string;
  value: string;
  onCommit: (v: string) => void;
  testId?: string;
  type?: 'number' | 'text';
  help?: string;
  step?: string;
  disabled?: boolean;
}

export function Field({ label, value, onCommit, testId, type = 'number', help, step, disabled }: FieldProps) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <label className="field" title={help}>
      <span>{label}</span>
      <input
        data-testid={testId}
        type={type}
        step={step ?? 'any'}
        value={draft}
        disabled={disabled}
        onChange={(e) => {
          setDraft(e.target.value);
          if (e.target.value.trim() !== '') onCommit(e.target.value);
        }}
      />
    </label>
  );
}

export function Select({ label, value, options, onCommit, testId, disabled }: { label: string; value: string; options: readonly string[]; onCommit: (v: string) => void; testId?: string; disabled?: boolean }) {
  return (
    <label className="field">
      <span>{label}</span>
      <select data-testid={testId} value={value} disabled={disabled} onChange={(e) => onCommit(e.target.value)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

function Group({ title, children, open = true }: { title: string; children: ReactNode; open?: boolean }) {
  return (
    <details className="group" open={open}>
      <summary>{title}</summary>
      <div className="fields">{children}</div>
    </details>
  );
}

const num = (v: unknown) => String(v);

export const Settings = memo(function Settings(props: { info: AppInfo; resolved: ResolvedConfig; set: SetParam; locked: boolean; dataPanel: ReactNode }) {
  const { info, resolved, set, locked } = props;
  const cfg = resolved.cfg;
  const task = info.tasks.find((t) => t.name === cfg.task.name)!;
  const rl = cfg.rl;
  const stage = cfg.stage ?? 'sft';
  // A setting of section S, key K: written as "S.K"; "K" (bare) is its other spelling.
  const sec = (s: string, k: string) => (v: string) => set(`${s}.${k}`, v, [k]);
  return (
    <div className="settings">
      <Group title="Task">
        <Select label="task" testId="task-select" value={cfg.task.name} options={info.tasks.map((t) => t.name)} onCommit={(v) => set('task', v)} disabled={locked} />
        <p className="help">{task.description}</p>
        {Object.entries(task.defaults).map(([k]) => {
          const opts = task.options[k];
          const knob = task.knobs[k];
          const v = String(cfg.task.config[k]);
          return opts ? (
            <Select key={k} label={k} value={v} options={opts} onCommit={(x) => set(`task.${k}`, x, [k])} disabled={locked} />
          ) : (
            <Field key={k} label={`${k}${knob ? ` (${knob.min}–${knob.max})` : ''}`} help={knob?.help} value={v} onCommit={(x) => set(`task.${k}`, x, [k])} step={knob?.integer ? '1' : 'any'} disabled={locked} />
          );
        })}
      </Group>
      <Group title="Data">{props.dataPanel}</Group>
      <Group title="Model">
        <Select label="preset" testId="preset-select" value={cfg.model.preset} options={[...Object.keys(info.presets), 'custom']} onCommit={(v) => set('preset', v, ['model.preset'])} disabled={locked} />
        {(['nLayer', 'nHead', 'nEmbd'] as const).map((k) => (
          <Field key={k} label={k} value={num(cfg.model[k])} onCommit={sec('model', k)} step="1" disabled={locked} />
        ))}
        <Field label="context (0 = auto)" value={num(cfg.model.blockSize)} onCommit={sec('model', 'blockSize')} step="1" disabled={locked} />
        <p className="help">
          {(resolved.paramCount / 1000).toFixed(1)}k parameters · context {resolved.blockSize} tokens
        </p>
      </Group>
      <Group title="Stage">
        <Select label="stage" value={stage} options={['sft', 'sft+rl', 'rl']} onCommit={(v) => set('stage', v)} disabled={locked} />
        <Field label="seed" testId="seed-input" value={num(cfg.train.seed)} onCommit={sec('train', 'seed')} step="1" disabled={locked} />
      </Group>
      <Group title="SFT">
        <Field label="steps" testId="steps-input" value={num(cfg.train.steps)} onCommit={sec('train', 'steps')} step="1" disabled={locked} />
        <Field label="batch" value={num(cfg.train.batchSize)} onCommit={sec('train', 'batchSize')} step="1" disabled={locked} />
        <Field label="learning rate" value={num(cfg.train.lr)} onCommit={sec('train', 'lr')} disabled={locked} />
        <Field label="min lr (cosine end)" value={num(cfg.train.minLr)} onCommit={sec('train', 'minLr')} disabled={locked} />
        <Field label="warmup steps" value={num(cfg.train.warmupSteps)} onCommit={sec('train', 'warmupSteps')} step="1" disabled={locked} />
        <Field label="distinct problems (0 = ∞)" value={num(cfg.train.trainSize)} onCommit={sec('train', 'trainSize')} step="1" disabled={locked} />
        <Select label="curriculum" value={cfg.train.curriculum ?? 'off'} options={['off', 'auto', 'mixed']} onCommit={sec('train', 'curriculum')} disabled={locked} />
        {cfg.train.curriculum === 'auto' && <Field label="move up at level accuracy" value={num(cfg.train.curriculumThreshold)} onCommit={sec('train', 'curriculumThreshold')} disabled={locked} />}
      </Group>
      <Group title="RL" open={stage !== 'sft'}>
        <Field label="RL steps" value={num(rl.steps)} onCommit={sec('rl', 'steps')} step="1" disabled={locked} />
        <Select label="algorithm" value={rl.algo} options={info.algos} onCommit={sec('rl', 'algo')} disabled={locked} />
        <Select label="reward scheme" value={rl.scheme} options={info.schemes} onCommit={sec('rl', 'scheme')} disabled={locked} />
        <Field label="prompts / step" value={num(rl.prompts)} onCommit={sec('rl', 'prompts')} step="1" disabled={locked} />
        <Field label="group size" value={num(rl.group)} onCommit={sec('rl', 'group')} step="1" disabled={locked} />
        <Field label="prompt pool (0 = fresh)" value={num(rl.pool)} onCommit={sec('rl', 'pool')} step="1" disabled={locked} />
        <Field label="temperature" value={num(rl.temperature)} onCommit={sec('rl', 'temperature')} disabled={locked} />
        <Field label="learning rate" value={num(rl.lr)} onCommit={sec('rl', 'lr')} disabled={locked} />
        <Field label="clip ε" value={num(rl.clip)} onCommit={sec('rl', 'clip')} disabled={locked} />
        <Field label="epochs" value={num(rl.epochs)} onCommit={sec('rl', 'epochs')} step="1" disabled={locked} />
        <Field label="KL β" value={num(rl.kl)} onCommit={sec('rl', 'kl')} disabled={locked} />
        <Field label="entropy bonus" value={num(rl.entropy)} onCommit={sec('rl', 'entropy')} disabled={locked} />
        <Select label="zero-variance groups" value={rl.zeroVar} options={['keep', 'skip', 'resample']} onCommit={sec('rl', 'zeroVar')} disabled={locked} />
      </Group>
      <Group title="Evaluation" open={false}>
        <Field label="every (steps)" value={num(cfg.eval.every)} onCommit={sec('eval', 'every')} step="1" disabled={locked} />
        <Field label="problems" value={num(cfg.eval.n)} onCommit={sec('eval', 'n')} step="1" disabled={locked} />
        <Field label="temperature" value={num(cfg.eval.temperature)} onCommit={sec('eval', 'temperature')} disabled={locked} />
        <Field label="pass@k list" type="text" value={String(cfg.eval.passk ?? '')} onCommit={sec('eval', 'passk')} disabled={locked} />
        <Field label="samples shown" value={num(cfg.eval.samples)} onCommit={sec('eval', 'samples')} step="1" disabled={locked} />
        <Field label="log every (steps)" value={num(cfg.train.logEvery)} onCommit={sec('train', 'logEvery')} step="1" disabled={locked} />
      </Group>
    </div>
  );
});
