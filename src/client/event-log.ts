import type { SocketEvent } from '../protocol/events.ts';
import type { CapturedSegment } from '../protocol/segments.ts';
import { describeEvent, describeSegment } from '../viz/describe-event.ts';

/** Log lines kept in the page; the count in the header goes on counting past it. */
export const MAX_LOG_LINES = 2000;

function nearBottom(element: HTMLElement): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight < 40;
}

/** One formatter for every count: toLocaleString would look the locale up again on each call. */
const COUNT = new Intl.NumberFormat('en');

/** "1 event", "2 events", "1,234 events". */
export function countEvents(n: number): string {
  return `${COUNT.format(n)} ${n === 1 ? 'event' : 'events'}`;
}

/** The first index whose time is later than `t`: equal times keep the order they arrived in. */
export function insertionPoint(times: readonly number[], t: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((times[middle] ?? 0) <= t) low = middle + 1;
    else high = middle;
  }
  return low;
}

export type EventLog = {
  /** A new session: an empty log. */
  reset(): void;
  /** What the session produced since the last call, in any order. */
  add(events: readonly SocketEvent[], segments: readonly CapturedSegment[]): void;
};

/**
 * The diagram's text twin, in time order: a captured segment can reach the page after events with
 * later times (tcpdump reports in its own rhythm), so each line is inserted at its time.
 */
export function mountEventLog(list: HTMLOListElement, count: HTMLElement): EventLog {
  let times: number[] = [];
  let produced = 0;
  // Whether to keep the newest line in view: learned from scrolling, never by reading the list's
  // size while adding, which would force the whole page's layout on every update.
  let follow = true;
  list.addEventListener('scroll', () => (follow = nearBottom(list)), { passive: true });

  const reset = () => {
    list.replaceChildren();
    times = [];
    produced = 0;
    count.textContent = countEvents(0);
  };

  return {
    reset,
    add(events, segments) {
      if (events.length === 0 && segments.length === 0) return;
      const lines = [
        ...events.map((event) => ({ t: event.t, text: describeEvent(event) })),
        ...segments.map((segment) => ({ t: segment.t, text: describeSegment(segment) })),
      ].sort((a, b) => a.t - b.t);
      let tail = document.createDocumentFragment();
      const flushTail = () => {
        list.append(tail);
        tail = document.createDocumentFragment();
      };
      for (const line of lines) {
        const item = document.createElement('li');
        item.textContent = line.text;
        const at = insertionPoint(times, line.t);
        if (at === times.length) {
          tail.append(item);
        } else {
          flushTail();
          list.insertBefore(item, list.children[at] ?? null);
        }
        times.splice(at, 0, line.t);
      }
      flushTail();
      const excess = times.length - MAX_LOG_LINES;
      if (excess > 0) {
        times = times.slice(excess);
        for (let i = 0; i < excess; i++) list.firstElementChild?.remove();
      }
      produced += lines.length;
      count.textContent = countEvents(produced);
      // Far beyond any list's height: the browser clamps it, and nothing is read back. A closed
      // log is not laid out at all, and setting a scroll offset would make the browser lay it out.
      if (follow && list.closest('details')?.open !== false) list.scrollTop = Number.MAX_SAFE_INTEGER;
    },
  };
}
