// The first thing a newcomer reads: what this page is, what to do first, and a small glossary of
// the words the charts and the inspector use (the same sentences as their tooltips, glossary.ts).

import { GLOSSARY } from './glossary.ts';

const TERMS: { term: string; text: string }[] = [
  { term: 'SFT', text: GLOSSARY.SFT },
  { term: 'RL', text: GLOSSARY.RL },
  { term: 'fully right', text: GLOSSARY.fully },
  { term: 'greedy pass@1', text: GLOSSARY.greedy },
  { term: 'sampled', text: GLOSSARY.sampled },
  { term: 'pass@k', text: GLOSSARY.passk },
  { term: 'format / steps / answer', text: `${GLOSSARY.format} ${GLOSSARY.steps} ${GLOSSARY.answer}` },
  { term: 'reward', text: GLOSSARY.reward },
  { term: 'advantage', text: GLOSSARY.advantage },
];

/** `compact` once a run is on screen: the glossary stays, the first-steps line makes room for the charts. */
export function Intro({ compact }: { compact: boolean }) {
  return (
    <section className={`intro${compact ? ' compact' : ''}`} data-testid="intro">
      {!compact && (
        <p>
          <b>Train a tiny language model in your browser</b> to solve small reasoning problems step by step; a verifier checks every step.
          <br />
          <b>Start here:</b> click a demo (or Start), then watch the accuracy chart climb and the sample inspector below it.
        </p>
      )}
      <details className="glossary">
        <summary>What the words mean</summary>
        <dl>
          {TERMS.map((t) => (
            <div key={t.term}>
              <dt>{t.term}</dt>
              <dd>{t.text}</dd>
            </div>
          ))}
        </dl>
      </details>
    </section>
  );
}
