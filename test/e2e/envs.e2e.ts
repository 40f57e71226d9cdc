// Environments in the app: the task picker offers calc-tool and guess-number; a calc-tool run
// trains in the worker, and after its evaluation the inspector shows each episode as a
// trajectory, model and environment turns in distinct classes and colours, with no console
// errors. A guess-number run shows its guesses and replies the same way. Each test leaves a
// screenshot of the inspector in .cache/e2e/envs-*.png (docs/screenshots/ keeps chosen ones).
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { waitForBadge, waitForState } from './helpers/app.ts';
import { ROOT } from './helpers/server.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

/** What the inspector shows of its trajectories: roles, classes and colours of the turns. */
async function turnsShown(page: Page) {
  return page.getByTestId('inspector').evaluate((root) => {
    const turns = [...root.querySelectorAll('[data-testid="trajectory"] [data-role]')];
    return {
      trajectories: root.querySelectorAll('[data-testid="trajectory"]').length,
      roles: turns.map((t) => t.getAttribute('data-role')),
      classes: turns.map((t) => t.className),
      colours: turns.map((t) => `${getComputedStyle(t).backgroundColor}|${getComputedStyle(t).color}`),
      calls: root.querySelectorAll('.tool-call').length,
      replies: root.querySelectorAll('.tool-reply').length,
      failing: root.querySelectorAll('[data-failing="true"]').length,
      rows: root.querySelectorAll('[data-testid="sample-row"]').length,
    };
  });
}

describe.skipIf(noBrowser)('environments in the app', () => {
  const browser = useBrowser();

  it('offers both environments, trains calc-tool and shows model and env turns in distinct colours', async () => {
    const query = 'backend=wasm&task=calc-tool&preset=nano&seed=1&batchSize=16&steps=150&eval.every=150&eval.n=8';
    await withApp(browser(), 'envs-calc-tool', query, async ({ page, errors }) => {
      await waitForBadge(page);
      const options = await page.getByTestId('task-select').locator('option').allTextContents();
      expect(options).toEqual(expect.arrayContaining(['calc-tool', 'guess-number']));
      await page.getByTestId('start-btn').click();
      await waitForState(page, ['done'], 280_000);
      await page.getByTestId('inspector').getByTestId('trajectory').first().waitFor({ timeout: 30_000 });
      const s = await turnsShown(page);
      expect(s.trajectories).toBe(s.rows);
      expect(s.trajectories).toBeGreaterThan(0);
      expect(s.roles).toContain('model');
      expect(s.roles).toContain('env');
      const cls = (role: string) => new Set(s.classes.filter((_, i) => s.roles[i] === role));
      expect([...cls('model')]).toEqual(['turn turn-model']);
      expect([...cls('env')]).toEqual(['turn turn-env']);
      const colour = (role: string) => new Set(s.colours.filter((_, i) => s.roles[i] === role));
      expect(colour('model').size).toBe(1);
      for (const c of colour('env')) expect(colour('model').has(c)).toBe(false);
      // Every env turn after the prompt is a tool reply; the model's <calc> calls are highlighted.
      expect(s.replies).toBe(s.roles.filter((r) => r === 'env').length);
      expect(s.calls).toBeGreaterThan(0);
      await page.getByTestId('inspector').screenshot({ path: resolve(ROOT, '.cache/e2e/envs-calc-tool.png') });
      expect(errors).toEqual([]);
    });
  });

  it('shows guess-number episodes as guesses and replies, the failing turn marked', async () => {
    const query = 'backend=wasm&task=guess-number&preset=nano&seed=1&batchSize=16&steps=150&eval.every=150&eval.n=8';
    await withApp(browser(), 'envs-guess-number', query, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      await waitForState(page, ['done'], 280_000);
      await page.getByTestId('inspector').getByTestId('trajectory').first().waitFor({ timeout: 30_000 });
      const s = await turnsShown(page);
      expect(s.trajectories).toBe(s.rows);
      expect(s.roles).toContain('model');
      // Every sample not fully right has exactly one turn marked; fully right ones none.
      const notRight = await page.getByTestId('inspector').locator('[data-testid="sample-row"][data-fully="false"]').count();
      expect(s.failing).toBe(notRight);
      await page.getByTestId('inspector').screenshot({ path: resolve(ROOT, '.cache/e2e/envs-guess-number.png') });
      expect(errors).toEqual([]);
    });
  });
});
