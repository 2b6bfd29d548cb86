/**
 * A persistent array of heap objects: updating one copies only its chunk and the chunk list,
 * so every world of a 10,000-step run keeps its own heap while sharing almost all of it.
 */
const CHUNK = 64;

export type Heap<T> = { readonly chunks: readonly (readonly T[])[]; readonly size: number };

export function emptyHeap<T>(): Heap<T> {
  return { chunks: [], size: 0 };
}

export function heapGet<T>(h: Heap<T>, ref: number): T {
  const v = h.chunks[Math.floor(ref / CHUNK)]?.[ref % CHUNK];
  if (v === undefined) throw new RangeError(`no heap object ${ref}`);
  return v;
}

export function heapSet<T>(h: Heap<T>, ref: number, v: T): Heap<T> {
  const c = Math.floor(ref / CHUNK);
  const chunk = [...(h.chunks[c] ?? [])];
  chunk[ref % CHUNK] = v;
  const chunks = [...h.chunks];
  chunks[c] = chunk;
  return { chunks, size: Math.max(h.size, ref + 1) };
}

export function heapAdd<T>(h: Heap<T>, v: T): { readonly heap: Heap<T>; readonly ref: number } {
  return { heap: heapSet(h, h.size, v), ref: h.size };
}
