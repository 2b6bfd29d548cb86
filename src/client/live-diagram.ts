import {
  bodyHeight,
  GUTTER,
  HEADER_HEIGHT,
  mountSequenceDiagram,
  rowWindow,
  sequenceDiagram,
  type Drawn,
} from '../viz/sequence-diagram.ts';
import { rowOf } from '../viz/sequence-focus.ts';
import { formatMicros, SequenceBuilder, type Arrow, type Mark, type SequenceModel } from '../viz/sequence-model.ts';
import { bindDiagramFocus } from './diagram-focus.ts';
import type { SessionRecord } from './event-store.ts';

/** Pixels per row; captured segments carry a second line of options and want more. */
const ROW = 28;
const ROW_CAPTURED = 44;
/** Within this many pixels of the newest row the view counts as following it. */
const FOLLOW_SLACK = 40;
/** The drawing grows by this much at a time, so it is not resized (and repainted whole) on every event. */
const HEIGHT_STEP = 4096;

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
  /** The box's scroll offsets as last set or seen in a scroll event: reading them while drawing would force a layout. */
  let scrolled = { top: 0, left: 0 };
  let frame: number | undefined;

  function showDetail(item: Arrow | Mark): void {
    selected = item;
    detail.hidden = false;
    detail.replaceChildren();
    const heading = document.createElement('p');
    heading.className = 'lab-detail-title';
    heading.textContent =
      'description' in item ? item.description : `${item.label} on ${model.lanes.find((lane) => lane.id === item.lane)?.title ?? item.lane}`;
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
      keys.focus();
    });
    detail.append(heading, times, raw, close);
    render();
  }

  /** Captured segments carry a second line of options, so a session with any draws taller rows. */
  const rowHeightNow = () => (current().segments.length > 0 ? ROW_CAPTURED : ROW);

  /** Where the last drawing put the lanes, to follow the newest arrow sideways before drawing again. */
  let lastDrawn: Drawn | undefined;

  /**
   * Scrolls first, then draws: a scroll offset set after the drawing changed would make the
   * browser lay the page out on the spot. The offset is known beforehand: down to the newest row
   * (the drawing grows in steps, so it usually has the room already) and across to where the
   * last drawing put the newest arrow's lanes; a new lane is caught up with a frame later.
   */
  function render(): void {
    const rowHeight = rowHeightNow();
    const viewport = Math.max(0, size.height - HEADER_HEIGHT);
    const top = Math.max(0, bodyHeight(model.rows.length, rowHeight) - viewport);
    // New events never scroll away the item the keyboard is on: the view stops following instead.
    const held = keys.holding() ? keys.item(model) : undefined;
    if (following && held !== undefined && !rowOnScreen(rowOf(held), top)) {
      following = false;
      jump.hidden = false;
    }
    if (following) {
      const left = followSideways(scrolled.left);
      if (top !== scrolled.top || left !== scrolled.left) {
        ownScroll = { top, left };
        scrolled = { top, left };
        box.scrollTo({ top, left });
      }
    }
    lastDrawn = sequenceDiagram(diagram, model, {
      rowHeight,
      width: size.width,
      reducedMotion: reducedMotion.matches,
      onSelect: showDetail,
      selected: selected?.id,
      roving: keys.roving(model),
      onMove: keys.onMove,
      onFocusItem: keys.onFocusItem,
      window: rowWindow(scrolled.top, viewport, rowHeight),
      animateFrom: { arrows: drawnArrows, marks: drawnMarks },
      heightStep: HEIGHT_STEP,
    });
    drawnArrows = model.arrows.length;
    drawnMarks = model.marks.length;
    keys.drawn();
  }

  /** Whether the view, scrolled to `top`, shows the newest row: then it follows new events. */
  function followsAt(top: number): boolean {
    // The drawing may reach below the newest row (it grows in steps): measure from the row.
    const newestBottom = HEADER_HEIGHT + bodyHeight(model.rows.length, rowHeightNow());
    return newestBottom - top - size.height < FOLLOW_SLACK;
  }

  /** Whether a row is wholly in view with the rows scrolled to `top`. */
  function rowOnScreen(row: number, top: number): boolean {
    const rowHeight = rowHeightNow();
    const rowTop = bodyHeight(row, rowHeight) - rowHeight;
    return rowTop >= top && rowTop + rowHeight <= top + Math.max(0, size.height - HEADER_HEIGHT);
  }

  /** Scrolls an item's row to the middle of the view if it is off screen, then draws. */
  function reveal(item: Arrow | Mark): void {
    if (!rowOnScreen(rowOf(item), scrolled.top)) {
      const rowHeight = rowHeightNow();
      const viewport = Math.max(0, size.height - HEADER_HEIGHT);
      const rowTop = bodyHeight(rowOf(item), rowHeight) - rowHeight;
      const top = Math.max(0, rowTop - (viewport - rowHeight) / 2);
      ownScroll = { top, left: scrolled.left };
      scrolled = { top, left: scrolled.left };
      box.scrollTo({ top, left: scrolled.left });
      following = followsAt(top);
      jump.hidden = following;
    }
    render();
  }

  const keys = bindDiagramFocus(box, diagram.body.node() as SVGSVGElement, { model: () => model, reveal });

  /** The scroll offset that shows the newest arrow's lanes, the sticky time column left clear. */
  function followSideways(left: number): number {
    const newest = model.arrows.at(-1);
    if (newest === undefined || lastDrawn === undefined) return left;
    const xs = [lastDrawn.x(newest.from), lastDrawn.x(newest.to)].filter((x): x is number => x !== undefined);
    if (xs.length === 0) return left;
    const [lo, hi] = [Math.min(...xs) + GUTTER, Math.max(...xs) + GUTTER];
    if (hi + 80 > left + size.width) return hi + 80 - size.width;
    if (lo - 80 < left + GUTTER) return Math.max(0, lo - 80 - GUTTER);
    return left;
  }

  function schedule(): void {
    frame ??= requestAnimationFrame(() => {
      frame = undefined;
      render();
    });
  }

  box.addEventListener('scroll', () => {
    scrolled = { top: box.scrollTop, left: box.scrollLeft };
    if (ownScroll !== undefined && Math.abs(scrolled.top - ownScroll.top) < 2 && Math.abs(scrolled.left - ownScroll.left) < 2) {
      ownScroll = undefined;
      return;
    }
    ownScroll = undefined;
    following = followsAt(scrolled.top);
    jump.hidden = following;
    schedule();
  });
  jump.addEventListener('click', () => {
    following = true;
    jump.hidden = true;
    // The button hides; the keyboard lands on the newest item, where the view now is.
    if (model.arrows.length + model.marks.length === 0) {
      render();
      box.focus();
    } else keys.focus('last');
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
