import { bodyHeight, GUTTER, HEADER_HEIGHT, mountSequenceDiagram, rowWindow, sequenceDiagram } from '../viz/sequence-diagram.ts';
import { formatMicros, SequenceBuilder, type Arrow, type Mark, type SequenceModel } from '../viz/sequence-model.ts';
import type { SessionRecord } from './event-store.ts';

/** Pixels per row; captured segments carry a second line of options and want more. */
const ROW = 28;
const ROW_CAPTURED = 44;
/** Within this many pixels of the newest row the view counts as following it. */
const FOLLOW_SLACK = 40;

export type LiveDiagram = {
  /** Draws the session as it now stands. */
  draw(record: SessionRecord): void;
};

/**
 * The echo lab's live sequence diagram and its detail panel. However long the session, a draw
 * costs the same: the model grows incrementally (SequenceBuilder), only the rows on screen are in
 * the DOM, and the scroll box's size is tracked by observers rather than read back after drawing.
 * The view follows the newest event, down and sideways, until the learner scrolls away; then a
 * "Jump to latest" button brings it back.
 */
export function mountLiveDiagram(box: HTMLElement, detail: HTMLElement, current: () => SessionRecord): LiveDiagram {
  const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
  const diagram = mountSequenceDiagram(box, 'Sequence diagram of this session');
  const builder = new SequenceBuilder();
  const jump = document.createElement('button');
  jump.type = 'button';
  jump.className = 'lab-button lab-jump';
  jump.textContent = 'Jump to latest ↓';
  jump.hidden = true;
  box.after(jump);

  let selected: Arrow | Mark | undefined;
  let model: SequenceModel = builder.update([]);
  let drawnArrows = 0;
  let drawnMarks = 0;
  let following = true;
  /** Scroll offsets this code set, so the scroll events they cause are not taken for the learner's. */
  let ownScroll: { top: number; left: number } | undefined;
  let size = { width: box.clientWidth, height: box.clientHeight };
  let frame: number | undefined;

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
      render();
    });
    detail.append(heading, times, raw, close);
    render();
  }

  function render(): void {
    const rowHeight = current().segments.length > 0 ? ROW_CAPTURED : ROW;
    const viewport = Math.max(0, size.height - HEADER_HEIGHT);
    const top = following ? Math.max(0, bodyHeight(model.rows.length, rowHeight) - viewport) : box.scrollTop;
    const drawn = sequenceDiagram(diagram, model, {
      rowHeight,
      width: size.width,
      reducedMotion: reducedMotion.matches,
      onSelect: showDetail,
      selected: selected?.id,
      window: rowWindow(top, viewport, rowHeight),
      animateFrom: { arrows: drawnArrows, marks: drawnMarks },
    });
    drawnArrows = model.arrows.length;
    drawnMarks = model.marks.length;
    if (!following) return;
    // Sideways too: the newest arrow's lanes in view, the sticky time column left clear.
    const newest = model.arrows.at(-1);
    let left = box.scrollLeft;
    if (newest !== undefined) {
      const xs = [drawn.x(newest.from), drawn.x(newest.to)].filter((x): x is number => x !== undefined);
      if (xs.length > 0) {
        const [lo, hi] = [Math.min(...xs) + GUTTER, Math.max(...xs) + GUTTER];
        if (hi + 80 > left + size.width) left = hi + 80 - size.width;
        if (lo - 80 < left + GUTTER) left = Math.max(0, lo - 80 - GUTTER);
      }
    }
    if (top !== box.scrollTop || left !== box.scrollLeft) {
      ownScroll = { top, left };
      box.scrollTo({ top, left });
    }
  }

  function schedule(): void {
    frame ??= requestAnimationFrame(() => {
      frame = undefined;
      render();
    });
  }

  box.addEventListener('scroll', () => {
    if (ownScroll !== undefined && Math.abs(box.scrollTop - ownScroll.top) < 2 && Math.abs(box.scrollLeft - ownScroll.left) < 2) {
      ownScroll = undefined;
      return;
    }
    ownScroll = undefined;
    following = box.scrollHeight - box.scrollTop - box.clientHeight < FOLLOW_SLACK;
    jump.hidden = following;
    schedule();
  });
  jump.addEventListener('click', () => {
    following = true;
    jump.hidden = true;
    render();
    box.focus();
  });
  new ResizeObserver(([entry]) => {
    if (entry === undefined) return;
    size = { width: box.clientWidth, height: box.clientHeight };
    schedule();
  }).observe(box);

  return {
    draw(record) {
      model = builder.update(record.events, record.segments);
      if (record.events.length === 0 && record.segments.length === 0) {
        drawnArrows = 0;
        drawnMarks = 0;
        following = true;
        jump.hidden = true;
      }
      render();
    },
  };
}
