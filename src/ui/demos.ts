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
    id: 'countdown-passk',
    title: 'Countdown: RL lifts pass@1, pass@k shows coverage',
    blurb: 'pass@1 rises under RL while pass@8 moves little: RL sharpens what the model could already find.',
    runs: [
      {
        name: 'countdown · SFT → RL, pass@k',
        params: { ...small, task: 'countdown', count: '3', stage: 'sft+rl', 'train.steps': '300', 'rl.steps': '150', 'rl.prompts': '8', 'rl.group': '8', 'eval.every': '25', 'eval.passk': '1,4,8', 'eval.n': '32' },
      },
    ],
  },
];
