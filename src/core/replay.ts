/**
 * The run/history machinery every stepper shares (the TCP stepper, the event-loop stepper, their
 * tests and benches). A run is data: a start and the inputs a learner made, each at the step it was
 * made. Replaying it gives every world in order; worlds are immutable and share what a step did not
 * change, so keeping all of them is cheap, and going back, forward or jumping is one array index:
 * exact by construction. Forking at step k is a new list of inputs that forgets those made after k.
 */

/** What one step of a replay did: the next world, and optionally the world at this step as the learner's input changed it (armed a drop, say). */
export type Advanced<W> = { readonly next: W; readonly here?: W };

export type Replayed<W> = {
  /** A fresh array, the caller's to keep. */
  readonly worlds: W[];
  /** The run was still going when it reached the cap. */
  readonly capped: boolean;
};

/**
 * Every world from `start`: `advance(world, index)` gives the step after it, or `undefined` (or the
 * same world) when nothing more happens. At most `maxSteps` steps.
 */
export function replay<W>(start: W, advance: (world: W, index: number) => Advanced<W> | undefined, maxSteps: number): Replayed<W> {
  const worlds: W[] = [start];
  for (let i = 0; i < maxSteps; i++) {
    const world = worlds[i] as W;
    const step = advance(world, i);
    if (step === undefined) return { worlds, capped: false };
    if (step.here !== undefined) worlds[i] = step.here;
    if (step.next === (step.here ?? world)) return { worlds, capped: false };
    worlds.push(step.next);
  }
  return { worlds, capped: true };
}

/** The inputs of a run forked at step `at`: those made before it, then `input`. */
export function forkAt<I extends { readonly at: number }>(made: readonly I[], input: I, keep: (other: I) => boolean = (other) => other.at < input.at): I[] {
  return [...made.filter(keep), input];
}

/** The inputs made at step `index`. */
export function madeAt<I extends { readonly at: number }>(made: readonly I[], index: number): I[] {
  return made.filter((input) => input.at === index);
}
