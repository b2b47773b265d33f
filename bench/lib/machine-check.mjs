// A fixed CPU task timed in the bench's own process, before and after each measured size: on a shared
// machine the same build's wall time swings by 25% or more from one hour to the next, and the 1-min load
// average does not show it (the other work is outside this machine's processes). The task is the kind
// of work a SIM run does most: serialising and parsing JSON answers (2 KB here), and sha256 over them. Its time
// is only comparable with itself: a larger figure than in an earlier bench run means a slower machine
// then, not a slower build.
import { createHash } from 'node:crypto';

/** A 2 KB answer-like object (nested members, arrays of strings), the same every time. */
function answerLike() {
  const models = ['Claude-Sonnet-4.5', 'GPT-5.1', 'Mistral-Large', 'Gemini-Pro', 'Qwen 72B', 'Llama 3.1 70B', 'Grok', 'Perplexity Sonar'];
  return {
    final_answer: models.map((m) => `${m} hypothesis on: the quick brown fox`).join(' '),
    models_used: models,
    confidence_score: 82,
    state_snapshot: {
      T1_RAW: models.map((model, i) => ({ model, hypothesis: `hypothesis ${i} on the quick brown fox`, logic_chain: ['a', 'b', 'c'].map((s) => `${s}${i}`), confidence: 0.5 + i / 20 })),
      CDG_STRUCTURE: { edges: Array.from({ length: 7 }, (_, i) => ({ from: `claim_${i + 1}`, to: `claim_${i + 2}`, weight: 0.8 })), nodes: Array.from({ length: 8 }, (_, i) => `claim_${i + 1}`) },
      EXECUTION_PLAN: { complexity: 'medium', domain: 'general', mmre_layers: [1, 2, 4, 9], tier1_models: models },
    },
    tier_path: 'T1->T1_SUMMARY->CDG->T2->MMRE->SYNTH->JUDICIAL->RWL->CONSENSUS->ALOE',
  };
}

/** Runs the task once; its wall and CPU milliseconds (CPU above wall: helper threads; wall above CPU: the process waited for a core). */
export function machineCheck(rounds = 20_000) {
  const answer = answerLike();
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  let seen = 0;
  for (let i = 0; i < rounds; i++) {
    answer.confidence_score = i;
    const text = JSON.stringify(answer);
    if (JSON.parse(text).confidence_score === i && createHash('sha256').update(text).digest('hex').length === 64) seen++;
  }
  const cpu = process.cpuUsage(cpu0);
  if (seen !== rounds) throw new Error(`machine check: ${rounds - seen} of ${rounds} rounds came out wrong`);
  return { wallMs: Math.round(performance.now() - wall0), cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
}
