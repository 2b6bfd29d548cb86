import type { Arrow, Mark, SequenceModel } from './sequence-model.ts';

/**
 * Where the keyboard is in a sequence diagram. A diagram is one tab stop; arrow keys move between
 * its arrows and marks in reading order: by row, then left to right across the lanes, a mark
 * before an arrow leaving the same lane in the same row. The position is an index into the model,
 * not an element, because a windowed drawing has only some rows in the DOM.
 */
export type ItemRef = { kind: 'arrow' | 'mark'; index: number };

export type Move = 'next' | 'previous' | 'first' | 'last';

/** The keys a diagram answers to, as on a list: both pairs of arrows walk the same order. */
const KEYS: Readonly<Record<string, Move>> = {
  ArrowDown: 'next',
  ArrowRight: 'next',
  ArrowUp: 'previous',
  ArrowLeft: 'previous',
  Home: 'first',
  End: 'last',
};

export function moveForKey(key: string): Move | undefined {
  return Object.hasOwn(KEYS, key) ? KEYS[key] : undefined;
}

export function itemAt(model: SequenceModel, ref: ItemRef | undefined): Arrow | Mark | undefined {
  if (ref === undefined) return undefined;
  return ref.kind === 'arrow' ? model.arrows[ref.index] : model.marks[ref.index];
}

/** The item's place in the model: the same object, else the same id (a rebuilt model makes new objects). */
export function refOf(model: SequenceModel, item: Arrow | Mark): ItemRef | undefined {
  const kind = 'from' in item ? 'arrow' : 'mark';
  const list: readonly (Arrow | Mark)[] = kind === 'arrow' ? model.arrows : model.marks;
  let index = list.indexOf(item);
  if (index < 0) index = list.findIndex((other) => other.id === item.id);
  return index < 0 ? undefined : { kind, index };
}

/** The row an item is read at: an arrow where it starts. */
export function rowOf(item: Arrow | Mark): number {
  return 'from' in item ? item.startRow : item.row;
}

type Key = readonly [row: number, lane: number, kind: number, index: number];

function compare(a: Key, b: Key): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The item a move lands on, or undefined when the model has none. Moving past either end stays
 * on the end item. A position the model no longer has (a stepper stepped back past it) counts as
 * just past the last item, so any move from it lands on the last one.
 */
export function step(model: SequenceModel, from: ItemRef | undefined, move: Move): ItemRef | undefined {
  const valid = from !== undefined && itemAt(model, from) !== undefined;
  const target: Move = valid ? move : move === 'first' ? 'first' : 'last';
  const lanes = new Map(model.lanes.map((lane, i) => [lane.id, i]));
  const keyOf = (ref: ItemRef): Key => {
    const item = itemAt(model, ref) as Arrow | Mark;
    const lane = 'from' in item ? item.from : item.lane;
    return [rowOf(item), lanes.get(lane) ?? lanes.size, ref.kind === 'mark' ? 0 : 1, ref.index];
  };
  // The smallest key above the origin (next, first) or the largest below it (previous, last).
  const upward = target === 'next' || target === 'first';
  const bound = target === 'next' || target === 'previous' ? keyOf(from as ItemRef) : undefined;
  const refs: ItemRef[] = [
    ...model.marks.map((_, index): ItemRef => ({ kind: 'mark', index })),
    ...model.arrows.map((_, index): ItemRef => ({ kind: 'arrow', index })),
  ];
  let best: { ref: ItemRef; key: Key } | undefined;
  for (const ref of refs) {
    const key = keyOf(ref);
    if (bound !== undefined && (upward ? compare(key, bound) <= 0 : compare(key, bound) >= 0)) continue;
    if (best === undefined || (upward ? compare(key, best.key) < 0 : compare(key, best.key) > 0)) best = { ref, key };
  }
  return best?.ref ?? (valid ? from : undefined);
}
