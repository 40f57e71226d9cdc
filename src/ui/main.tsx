// Browser entry. A placeholder until the app lands (issue 5): the training core already runs
// headless through the `reasonlab` CLI; this page only says so.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '3rem auto', lineHeight: 1.5 }}>
      <h1>reasonlab</h1>
      <p>Train small reasoning models in your browser: supervised fine-tuning on reasoning traces, then RL against rule-based verifiers.</p>
      <p>
        The training core runs today from the command line: <code>npx reasonlab train --task addition --preset nano --digits 2 --steps 600 --out runs/demo</code>. The in-browser lab is
        under construction.
      </p>
    </main>
  );
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
