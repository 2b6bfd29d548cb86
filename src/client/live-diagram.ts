import { mountSequenceDiagram, sequenceDiagram } from '../viz/sequence-diagram.ts';
import { buildSequenceModel, formatMicros, type Arrow, type Mark } from '../viz/sequence-model.ts';
import type { SessionRecord } from './event-store.ts';

function nearBottom(element: HTMLElement): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight < 40;
}

export type LiveDiagram = {
  /** Draws the session as it now stands. */
  draw(record: SessionRecord): void;
};

/**
 * The echo lab's live sequence diagram and its detail panel: what a selected arrow or mark stands
 * for, with its raw events.
 */
export function mountLiveDiagram(box: HTMLElement, detail: HTMLElement, current: () => SessionRecord): LiveDiagram {
  const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
  const diagram = mountSequenceDiagram(box, 'Sequence diagram of this session');
  let selected: Arrow | Mark | undefined;

  function showDetail(item: Arrow | Mark): void {
    selected = item;
    detail.hidden = false;
    detail.replaceChildren();
    const heading = document.createElement('p');
    heading.className = 'lab-detail-title';
    heading.textContent = 'description' in item ? item.description : `${item.label} on ${item.lane}`;
    const times = document.createElement('p');
    times.textContent = item.events.map((event) => `${event.kind} at ${formatMicros(event.t)}`).join(' · ');
    const raw = document.createElement('pre');
    const segment = 'segment' in item ? item.segment : undefined;
    raw.textContent = JSON.stringify(segment ?? (item.events.length === 1 ? item.events[0] : item.events), null, 2);
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'lab-button';
    close.textContent = 'Close details';
    close.addEventListener('click', () => {
      detail.hidden = true;
      selected = undefined;
      draw(current());
    });
    detail.append(heading, times, raw, close);
    draw(current());
  }

  function draw(record: SessionRecord): void {
    const follow = nearBottom(box);
    sequenceDiagram(diagram, buildSequenceModel(record.events, record.segments), {
      // Captured segments carry a second line of options.
      rowHeight: record.segments.length > 0 ? 44 : undefined,
      width: box.clientWidth,
      reducedMotion: reducedMotion.matches,
      onSelect: showDetail,
      selected: selected?.id,
    });
    if (follow) box.scrollTop = box.scrollHeight;
  }

  new ResizeObserver(() => draw(current())).observe(box);
  return { draw };
}
