import type { LoopThread, LoopWorld, ProgramId } from './world.ts';

/** Running a thread's next line either changes the world or finds the thread must wait. */
export type Outcome = { readonly kind: 'blocked'; readonly on: string } | { readonly kind: 'ran'; readonly world: LoopWorld; readonly explanation: string };

export function ran(world: LoopWorld, explanation: string): Outcome {
  return { kind: 'ran', world, explanation };
}

export function blocked(on: string): Outcome {
  return { kind: 'blocked', on };
}

/**
 * A small Python program and the hand-written interpreter for its lines: `exec` runs the
 * line the thread is on (or says what it waits for) without touching anything else.
 */
export type Program = {
  readonly id: ProgramId;
  readonly title: string;
  readonly description: string;
  /** The file name tracebacks show. */
  readonly file: string;
  /** server: simulated clients connect to it; client: it connects to a simulated server. */
  readonly role: 'server' | 'client';
  readonly source: readonly string[];
  readonly exec: (w: LoopWorld, thread: LoopThread) => Outcome;
};
