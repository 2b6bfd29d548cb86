import type { Kernel } from './kernel.ts';
import { readiness } from './kernel.ts';
import type { PyValue } from './py-value.ts';

/** selectors.EVENT_READ and selectors.EVENT_WRITE, the bits of a mask. */
export const EVENT_READ = 1;
export const EVENT_WRITE = 2;

export type EventName = 'EVENT_READ' | 'EVENT_WRITE';

export function maskNames(mask: number): readonly EventName[] {
  const out: EventName[] = [];
  if (mask & EVENT_READ) out.push('EVENT_READ');
  if (mask & EVENT_WRITE) out.push('EVENT_WRITE');
  return out;
}

export function maskText(mask: number): string {
  return maskNames(mask).join('|');
}

export type Registration = {
  readonly fd: number;
  /** The kernel socket: the selector holds the file object, not just its number. */
  readonly sock: number;
  readonly mask: number;
  readonly events: readonly EventName[];
  readonly data: PyValue;
  /** data as the learner reads it: each SimpleNamespace field's repr, or undefined for None. */
  readonly dataView: Readonly<Record<string, string>> | undefined;
};

export type Ready = { readonly fd: number; readonly sock: number; readonly mask: number; readonly events: readonly EventName[] };

export type Selector = {
  /** In registration order, which is also the order select() lists ready keys in. */
  readonly registry: readonly Registration[];
  /** What the latest select() call returned; undefined before the first call. */
  readonly lastSelect: readonly Ready[] | undefined;
  readonly closed: boolean;
};

export const EMPTY_SELECTOR: Selector = { registry: [], lastSelect: undefined, closed: false };

export function registrationOf(sel: Selector, sock: number): Registration | undefined {
  return sel.registry.find((r) => r.sock === sock);
}

export function register(sel: Selector, sock: number, fd: number, mask: number, data: PyValue): Selector {
  const entry: Registration = { fd, sock, mask, events: maskNames(mask), data, dataView: undefined };
  return { ...sel, registry: [...sel.registry, entry] };
}

export function unregister(sel: Selector, sock: number): Selector {
  return { ...sel, registry: sel.registry.filter((r) => r.sock !== sock) };
}

/** Level-triggered readiness of every registered socket, masked by what it was registered for. */
export function readyKeys(sel: Selector, k: Kernel): readonly Ready[] {
  const out: Ready[] = [];
  for (const r of sel.registry) {
    const now = readiness(k, r.sock);
    const mask = (now.readable ? EVENT_READ : 0) | (now.writable ? EVENT_WRITE : 0);
    const hit = mask & r.mask;
    if (hit !== 0) out.push({ fd: r.fd, sock: r.sock, mask: hit, events: maskNames(hit) });
  }
  return out;
}
