// Browser entry: mounts the app once the page is cross-origin isolated (or cannot be; see
// isolation.ts). Training runs in a module Web Worker (src/worker/worker.ts); this thread renders only.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ensureIsolation } from './isolation.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
void ensureIsolation().then((start) => {
  if (!start) return;
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
