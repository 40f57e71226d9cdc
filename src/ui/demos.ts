// One-click teaching demos: each is a queue of runs (parameters over the task's recipe and the app
// defaults) that start one after another and are overlaid in the charts. Every blurb states what
// was measured, with the CLI command's numbers on 2 CPU cores; `npm run bench:demos` replays each
// demo in headless Chromium and writes what the browser measured to docs/DEMOS.md.

import type { AppDpoSettings } from '../records/rate-train.ts';

export interface Demo {
  id: string;
  title: string;
  /** What the demo shows and what was measured. */
  blurb: string;
  /** What to look at on the charts while it runs. */
  watch: string;
  runs: { name: string; params: Record<string, string> }[];
  /**
   * After the last run: a simulated rater rates `pairs` of its pairs (T = 1), then DPO trains on
   * them once per setting, each a new run (usePrefDemo.ts); then the person rates.
   */
  prefs?: { rater: string; noise: number; pairs: number; dpo: AppDpoSettings[] };
}

const small = { preset: 'nano', 'eval.n': '100', 'eval.samples': '8', batchSize: '32' };

export const DEMOS: Demo[] = [
  {
    id: 'addition-traces',
    title: 'Traces vs answer-only (addition)',
    blurb:
      'The same nano model, trained on worked column sums and on bare answers, for 600 steps each (2-digit sums). Measured in headless Chromium (docs/DEMOS.md, 100 held-out problems): traces 93% fully right at step 600, answer-only 8%; 52 s for both runs on a free 2-core machine (2 min 12 s on a busy one).',
    watch: 'The accuracy chart: the traces run climbs past 80% while the answer-only run, which starts when it ends and is drawn in its own colour, stays near the bottom.',
    runs: [
      { name: 'addition · traces', params: { ...small, task: 'addition', digits: '2', format: 'scratchpad', 'train.steps': '600', lr: '6e-3', minLr: '6e-4', warmupSteps: '30', 'eval.every': '50', curriculum: 'off' } },
      { name: 'addition · answer-only', params: { ...small, task: 'addition', digits: '2', format: 'plain', 'train.steps': '600', lr: '6e-3', minLr: '6e-4', warmupSteps: '30', 'eval.every': '50', curriculum: 'off' } },
    ],
  },
  {
    id: 'boolean-sft-rl',
    title: 'SFT then RL (boolean circuits)',
    blurb:
      'SFT on only 100 boolean circuits plateaus, then GRPO on fresh circuits with the `full` reward (1 only when every step and the answer are right) lifts it. Measured in headless Chromium (docs/DEMOS.md, 100 held-out circuits): 44% fully right after 600 SFT steps, 70% after 150 RL steps, pass@16 54% before RL and 73% after; 8 min 21 s on 2 cores shared with other jobs. In the CLI (docs/EXPERIMENTS.md 9, 200 circuits): 45.5% to 64.5%.',
    watch: 'The shaded RL phase of the accuracy chart: fully right rises above the SFT plateau, and pass@4 / pass@16 show how much the samples already covered.',
    runs: [
      {
        name: 'boolean · 100 examples, SFT → RL',
        params: { ...small, task: 'boolean', trainSize: '100', stage: 'sft+rl', 'train.steps': '600', 'rl.steps': '150', 'rl.lr': '3e-4', 'rl.scheme': 'full', 'rl.prompts': '16', 'rl.group': '8', 'eval.every': '50', 'eval.passk': '1,4,16' },
      },
    ],
  },
  {
    id: 'curriculum-mixed',
    title: 'Curriculum: mixed levels vs hard-only (addition)',
    blurb:
      'Two nano runs on 3-digit addition, 600 steps each: one on the target problems only, one on a uniform mix of 1-, 2- and 3-digit sums. Measured in headless Chromium (docs/DEMOS.md, 100 held-out problems of the 3-digit config): at step 600, mixed 37% fully right, hard-only 5%; 2 min 31 s for both runs. In the CLI (docs/EXPERIMENTS.md 7, 200 problems): 49.5% vs 3.0%.',
    watch: 'Both curves are the accuracy on the same target problems; the mixed run takes off hundreds of steps earlier. The curriculum chart shows which levels each run trains on.',
    runs: [
      { name: 'addition 3 digits · hard-only', params: { ...small, task: 'addition', digits: '3', 'train.steps': '600', 'eval.every': '50', curriculum: 'off' } },
      { name: 'addition 3 digits · mixed levels', params: { ...small, task: 'addition', digits: '3', 'train.steps': '600', 'eval.every': '50', curriculum: 'mixed' } },
    ],
  },
  {
    id: 'addition-rl-lift',
    title: 'pass@k before and after RL (addition)',
    blurb:
      'SFT on only 100 problems memorises them and stalls; GRPO on fresh prompts, checked by the verifier, lifts it, and pass@k shows the coverage the samples had before RL. Measured in headless Chromium (docs/DEMOS.md, 100 held-out problems): 36% fully right after 800 SFT steps, 55% after 200 RL steps; pass@16 51% before RL, 60% after; 3 min 33 s on 2 cores shared with other jobs.',
    watch: 'pass@1, pass@4 and pass@16 on the accuracy chart before and inside the shaded RL phase; the zero-variance share on the RL charts is the share of groups that taught nothing.',
    runs: [
      {
        name: 'addition · 100 examples, SFT → RL',
        params: { ...small, task: 'addition', digits: '2', trainSize: '100', stage: 'sft+rl', 'train.steps': '800', 'train.lr': '6e-3', minLr: '6e-4', warmupSteps: '30', curriculum: 'off', 'rl.steps': '200', 'rl.lr': '3e-4', 'rl.prompts': '16', 'rl.group': '8', 'eval.every': '50', 'eval.passk': '1,4,16' },
      },
    ],
  },
  {
    id: 'calc-tool',
    title: 'Learning to use a calculator (calc-tool)',
    blurb:
      'A nano model learns to call a calculator: SFT on gold episodes of 3-digit a*b+c that call the tool once per operation (`<calc>123*456</calc>`, the environment appends `<res>056088</res>`), the environment\'s replies never trained on. Measured in headless Chromium (docs/DEMOS.md, 100 held-out problems): 1% fully right at step 300, 80% at step 400, 85% at step 600, a mean 3.0 model turns per episode; 6 min on 2 cores shared with other jobs (load 9-13).',
    watch: 'The inspector: each held-out episode, model turns in blue, the calculator\'s <res> replies in amber, a failed call or a wrong answer marked in red.',
    runs: [{ name: 'calc-tool · SFT on tool-using trajectories', params: { ...small, task: 'calc-tool', 'train.steps': '600', lr: '3e-3', minLr: '1e-4', warmupSteps: '30', 'eval.every': '100' } }],
  },
  {
    id: 'guess-number',
    title: 'Binary search from feedback (guess-number)',
    blurb:
      'SFT on binary-search episodes for a number from 000 to 999, solved within 10 guesses: each guess `<g>499</g>` gets `+` (higher), `-` (lower) or `=`, with the range still possible (`<o>+500-999</o>`), so the next guess is the middle of the range just written. Measured with the CLI on these settings (the same code; `npx reasonlab train --task guess-number --out R`, 52 held-out targets, 2 cores shared with other jobs): fully right (solved within 10 turns, every guess inside the range) 1.9% at step 100, 3.8% at 200, 17.3% at 300, 44.2% at 400 (51.9% solved), 15 min 35 s. Not yet replayed in the browser since the replies restate the range. Most misses are guesses on narrow ranges, where the midpoint is harder arithmetic. RL did not help: 50 GRPO steps took it to 32.7% (docs/EXPERIMENTS.md 12).',
    watch: 'The inspector: each guess and the environment\'s reply, higher (+) or lower (-) with the range left; a guess outside that range is marked in red.',
    runs: [{ name: 'guess-number 3 digits · SFT on binary-search trajectories', params: { ...small, task: 'guess-number', digits: '3', 'train.steps': '400', lr: '3e-3', minLr: '1e-4', warmupSteps: '30', 'eval.every': '100' } }],
  },
  {
    id: 'prefs-dpo',
    title: 'Rate pairs, then DPO on the ratings (addition)',
    blurb:
      'A nano model learns 2-digit addition for 300 steps; then simulated:prefers-short-thoughts (noise 0.1) rates 100 pairs it samples at T = 1, DPO trains on the decided ones at lr 1e-4 and again at 1e-5 (30 steps each, each a new run), and then you rate. The lesson it was built for, a preference no verifier checks (shorter thoughts), does not show on addition: a right scratchpad has one length, so this rater reduces to "prefers correct" (measured: 54 of 100 pairs were ties, 20 chose the right completion over a wrong one, 3 the wrong one by the noise, the rest two wrong ones by length), and the greedy thought length stayed 15.1 tokens. What it shows is DPO itself. Measured in headless Chromium (wasm, 2 cores shared with other jobs; three replays gave the same numbers, 1 min 41 s to 2 min 48 s in all at load 7 to 11; 46 decided pairs, 36 to train on, 10 held out; fully right on 50 held-out problems): at lr 1e-5 the margin on the training pairs rose from 0 to 0.052 (83% ranked right, held-out 70%), fully right went 72% to 66% (76% at step 10; 3 problems of 50 is noise), KL 0.05 nats; at lr 1e-4 the training margin rose to 0.42 while fully right fell from 72% to 14% (KL 2.8) and held-out pairs ended at 50%: the margin alone does not show the break, the verifier does. A preference no verifier checks needs a task whose verifier accepts many right traces: on countdown it was tried and not shown either (docs/EXPERIMENTS.md 13).',
    watch:
      'The DPO charts (the two DPO runs overlaid): margin and pair accuracy rise in both, fully right falls only at lr 1e-4, the KL chart shows how far each moved. Then open Rate pairs: the pairs come from the lr 1e-5 run. Rate them (1 / 2 / =) and press Train on my ratings.',
    runs: [{ name: 'addition · SFT, 300 steps', params: { ...small, task: 'addition', digits: '2', format: 'scratchpad', 'train.steps': '300', lr: '6e-3', minLr: '6e-4', warmupSteps: '30', 'eval.every': '100', curriculum: 'off' } }],
    prefs: {
      rater: 'prefers-short-thoughts',
      noise: 0.1,
      pairs: 100,
      dpo: [
        // 1e-4 first: the last run is the one the person rates, and 1e-5 is the one that kept accuracy.
        { steps: 30, beta: 0.1, lr: 1e-4 },
        { steps: 30, beta: 0.1, lr: 1e-5 },
      ],
    },
  },
];
