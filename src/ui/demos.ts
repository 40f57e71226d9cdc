// One-click teaching demos: each is a queue of runs (parameters over the app defaults) that start
// one after another and are overlaid in the charts.

export interface Demo {
  id: string;
  title: string;
  blurb: string;
  runs: { name: string; params: Record<string, string> }[];
}

const small = { preset: 'nano', 'eval.every': '50', 'eval.n': '64', batchSize: '32' };

export const DEMOS: Demo[] = [
  {
    id: 'addition-traces',
    title: 'Addition: traces vs answer-only',
    blurb: 'The same model trained on worked column sums and on bare answers. Traces generalise sooner.',
    runs: [
      { name: 'addition · traces', params: { ...small, task: 'addition', digits: '3', format: 'scratchpad', 'train.steps': '600' } },
      { name: 'addition · answer-only', params: { ...small, task: 'addition', digits: '3', format: 'plain', 'train.steps': '600' } },
    ],
  },
  {
    id: 'syllogism-sft-rl',
    title: 'Syllogisms: SFT then RL',
    blurb: 'Supervised traces first, then RL against the verifier from the SFT weights (shaded).',
    runs: [{ name: 'syllogism · SFT → RL', params: { ...small, task: 'syllogism', stage: 'sft+rl', 'train.steps': '300', 'rl.steps': '100', 'rl.prompts': '8', 'rl.group': '8', 'eval.every': '25' } }],
  },
  {
    id: 'addition-rl-lift',
    title: 'Addition: RL lifts a plateaued SFT model',
    blurb:
      'SFT on only 100 problems memorises them and stalls near 28% held-out; GRPO on fresh prompts, checked by the verifier, lifts it (measured: 28% to 42% in 200 RL steps, docs/EXPERIMENTS.md). Watch how many groups have zero reward variance.',
    runs: [
      {
        name: 'addition · 100 examples, SFT → RL',
        params: { ...small, task: 'addition', digits: '2', trainSize: '100', stage: 'sft+rl', 'train.steps': '800', 'train.lr': '6e-3', 'rl.steps': '200', 'rl.lr': '3e-4', 'rl.prompts': '16', 'rl.group': '8', 'eval.every': '50', 'eval.n': '100', 'eval.passk': '1,4,16' },
      },
    ],
  },
  {
    id: 'countdown-passk',
    title: 'Countdown: RL lifts pass@1, pass@k shows coverage',
    blurb:
      'pass@1 and pass@k side by side through SFT and RL. Honest warning: at this size and budget countdown SFT stays near 0% (measured: pass@8 3% after 300 SFT steps, 0% after 150 RL steps), and RL cannot learn from groups that never succeed. Raise the model size and SFT steps to see RL move it.',
    runs: [
      {
        name: 'countdown · SFT → RL, pass@k',
        params: { ...small, task: 'countdown', count: '3', stage: 'sft+rl', 'train.steps': '300', 'rl.steps': '150', 'rl.prompts': '8', 'rl.group': '8', 'eval.every': '25', 'eval.passk': '1,4,8', 'eval.n': '32' },
      },
    ],
  },
];
