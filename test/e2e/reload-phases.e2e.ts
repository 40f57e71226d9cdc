// A reload in every phase: in SFT, in RL, and right after Switch to RL (before RL's first periodic
// checkpoint). Each time the header says "interrupted" (never "running · not running"), keeps the
// phase the checkpoint was taken in, and agrees with the runs list on the run's total; Resume
// continues in that phase from the saved step.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { waitFor, waitForBadge, waitForStep } from './helpers/app.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

/** The header's counter: "step 60 / 210 · RL". */
async function counter(page: Page): Promise<{ step: number; total: number; phase: string }> {
  const t = await page.getByTestId('step-counter').innerText();
  const m = /step (\d+)(?: \/ (\d+))? · (SFT|RL)/.exec(t);
  if (!m) throw new Error(`step-counter reads "${t}"`);
  return { step: Number(m[1]), total: Number(m[2] ?? 0), phase: m[3]! };
}

async function waitForPhase(page: Page, phase: 'SFT' | 'RL', minStep: number, timeout = 240_000) {
  const t0 = Date.now();
  for (;;) {
    const c = await counter(page);
    if (c.phase === phase && c.step >= minStep) return c;
    if (Date.now() - t0 > timeout) throw new Error(`timed out waiting for ${phase} step >= ${minStep}; counter ${JSON.stringify(c)}`);
    await page.waitForTimeout(200);
  }
}

/** After a reload: "interrupted" within 20 s, the phase kept, and the header's total the list's. */
async function expectInterrupted(page: Page, phase: 'SFT' | 'RL') {
  await waitForBadge(page);
  const state = page.getByTestId('run-state');
  const t0 = Date.now();
  await waitFor(page, 'the run shown as interrupted', async () => (await state.getAttribute('data-restored')) === 'interrupted', { timeout: 20_000 });
  const text = await state.innerText();
  expect(text).toMatch(/^interrupted · saved at step \d+$/);
  const c = await counter(page);
  expect(c.phase).toBe(phase);
  const line = await page.getByTestId('run-item').first().innerText();
  const listed = /resume from step (\d+) of (\d+)/.exec(line);
  expect(listed, line).not.toBeNull();
  expect(Number(listed![1])).toBe(c.step);
  expect(Number(listed![2])).toBe(c.total);
  console.log(`[e2e] after the reload: "${text}" in ${Date.now() - t0} ms; header ${JSON.stringify(c)}; list "${listed![0]}"`);
  return c;
}

/** Resume from the runs list: the run continues in `phase` from the saved step and advances. */
async function resumeIn(page: Page, phase: 'SFT' | 'RL', saved: number) {
  await page.getByTestId('run-item').first().getByTestId('resume-run-btn').click();
  await waitFor(page, 'the resumed run', (s) => s.state === 'running', { timeout: 120_000 });
  const first = await counter(page);
  expect(first.phase).toBe(phase);
  expect(first.step).toBeGreaterThanOrEqual(saved);
  await waitForStep(page, first.step + 2, 180_000);
  expect((await counter(page)).phase).toBe(phase);
  await page.getByTestId('stop-btn').click();
  await waitFor(page, 'stopped', (s) => s.state === 'stopped', { timeout: 60_000 });
}

const BASE = 'backend=wasm&task=addition&digits=2&preset=nano&batchSize=16&eval.n=8&eval.every=100';
// Small RL steps: 4 prompts x 4 samples.
const RL = 'rl.prompts=4&rl.group=4&rl.steps=100';

describe.skipIf(noBrowser)('a reload in every phase', () => {
  const browser = useBrowser();

  it('in SFT: interrupted at the last checkpoint, phase SFT, Resume continues SFT', async () => {
    await withApp(browser(), 'reload-sft', `${BASE}&seed=4&steps=200`, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      await waitForStep(page, 55, 180_000);
      await page.reload();
      const c = await expectInterrupted(page, 'SFT');
      expect(c.step).toBe(50);
      expect(c.total).toBe(200);
      await resumeIn(page, 'SFT', 50);
      expect(errors).toEqual([]);
    });
  });

  it('in RL: interrupted at the RL checkpoint, phase RL (not SFT), totals agree, Resume continues RL', async () => {
    await withApp(browser(), 'reload-rl', `${BASE}&seed=5&stage=sft%2Brl&steps=10&${RL}`, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      // RL's first periodic checkpoint is at RL step 50 (global 60).
      await waitForPhase(page, 'RL', 62);
      await page.reload();
      const c = await expectInterrupted(page, 'RL');
      expect(c.step).toBe(60);
      expect(c.total).toBe(110);
      await resumeIn(page, 'RL', 60);
      expect(errors).toEqual([]);
    });
  });

  it('right after Switch to RL: the switch is saved, so the run comes back in RL with its shorter total', async () => {
    await withApp(browser(), 'reload-switch', `${BASE}&seed=6&steps=400&${RL}`, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      await waitForStep(page, 15, 180_000);
      await page.getByTestId('switch-rl-btn').click();
      const sw = await waitForPhase(page, 'RL', 0);
      // A few RL steps, well before RL's first periodic checkpoint.
      await waitForPhase(page, 'RL', sw.step + 3);
      await page.reload();
      const c = await expectInterrupted(page, 'RL');
      expect(c.step).toBeGreaterThanOrEqual(15);
      expect(c.step).toBeLessThanOrEqual(sw.step);
      expect(c.total).toBe(c.step + 100);
      await resumeIn(page, 'RL', c.step);
      expect(errors).toEqual([]);
    });
  });
});
