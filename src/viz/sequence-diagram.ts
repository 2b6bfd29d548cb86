import { select, type EnterElement, type Selection } from 'd3-selection';
import 'd3-transition';
import { easeCubicOut } from 'd3-ease';
import { moveForKey, type Move } from './sequence-focus.ts';
import { formatMicros, LONG_ARROW_ROWS, type Arrow, type Lane, type Mark, type SequenceModel } from './sequence-model.ts';

export type SequenceOptions = {
  width: number;
  /** Lanes are never narrower than this; the diagram scrolls sideways instead. */
  minLaneWidth?: number;
  /** Put the outer lanes near the edges, leaving the middle to long segment labels. */
  spread?: boolean;
  /** Pixels per row; two-line labels want more than the default. */
  rowHeight?: number;
  /** How a row's time is written in the left column. */
  formatTime?: (t: number) => string;
  reducedMotion: boolean;
  onSelect: (item: Arrow | Mark) => void;
  selected?: string;
  /**
   * The item holding the diagram's one tab stop (tabindex 0); every other item is reachable with
   * the arrow keys only (tabindex -1). See sequence-focus.ts.
   */
  roving?: string;
  /** An arrow key, Home or End pressed on an item: the caller moves focus. */
  onMove?: (item: Arrow | Mark, move: Move) => void;
  /** An item took focus, by click or by a move: it holds the tab stop from now on. */
  onFocusItem?: (item: Arrow | Mark) => void;
  /**
   * The rows on screen (with a margin): only their arrows, marks and times are in the DOM, and
   * only lanes alive in them take width. Absent: every row.
   */
  window?: RowWindow;
  /** Arrows and marks from these indices on are new since the last draw and animate in; older ones are placed. */
  animateFrom?: { arrows: number; marks: number };
  /**
   * The drawing's height grows in steps of this many pixels rather than row by row, so a growing
   * diagram does not change its size, and make the browser repaint all of it, on every update.
   */
  heightStep?: number;
};

export type RowWindow = { from: number; to: number };

/** Where a drawing put things, for a caller that scrolls to them. */
export type Drawn = { height: number; width: number; x: (laneId: string) => number | undefined; y: (row: number) => number };

/** Width of the time column, which stays put while the lanes scroll sideways. */
export const GUTTER = 92;
/** Room above the first row; lane titles live in a separate sticky header. */
const HEADER = 8;
export const HEADER_HEIGHT = 50;
const ROW = 28;
const MIN_LANE = 128;
const ENTER_MS = 380;
const LABEL_LINE = 12;

type Layout = {
  x: (laneId: string) => number;
  has: (laneId: string) => boolean;
  y: (row: number) => number;
  width: number;
  height: number;
};

/** Mark boxes are sized from their text in the 11px monospace font. */
const markWidth = (label: string) => label.length * 6.6 + 12;

type Point = { x: number; y: number };

/**
 * Where an arrow starts and ends: lane to lane, but stopping at the edge of a mark on either end so
 * that its head is never hidden under a label.
 */
function endpoints(arrow: Arrow, at: Layout, marks: ReadonlyMap<string, number>): [Point, Point] {
  const start = { x: at.x(arrow.from), y: at.y(arrow.startRow) };
  const end = { x: at.x(arrow.to), y: at.y(arrow.endRow) };
  const dx = end.x - start.x;
  if (dx === 0) return [start, end];
  const trim = (row: number, lane: string) => (marks.get(`${lane}|${row}`) ?? 0) / 2 + 3;
  const t0 = Math.min(0.45, trim(arrow.startRow, arrow.from) / Math.abs(dx));
  const t1 = Math.max(0.55, 1 - trim(arrow.endRow, arrow.to) / Math.abs(dx));
  const point = (t: number) => ({ x: start.x + dx * t, y: start.y + (end.y - start.y) * t });
  return [point(t0), point(t1)];
}

/** Room kept beyond the outer lanes when they are spread to the edges: half a wide mark. */
const EDGE_PAD = 80;

/** Lanes alive somewhere in the window (or all of them): the others fold away. */
function shownLanes(model: SequenceModel, window: RowWindow | undefined): Lane[] {
  if (window === undefined) return model.lanes;
  return model.lanes.filter((lane) => lane.firstRow <= window.to && (lane.lastRow ?? Number.POSITIVE_INFINITY) >= window.from);
}

/** Lane x positions are in the body's own coordinates: the time column is a separate, sticky element. */
function layout(
  model: SequenceModel,
  lanes: readonly Lane[],
  width: number,
  minLane: number,
  row: number,
  spread: boolean,
): Layout {
  const space = Math.max(0, width - GUTTER);
  const count = Math.max(1, lanes.length);
  const laneWidth = Math.max(minLane, space / count);
  const index = new Map(lanes.map((lane, i) => [lane.id, i]));
  const spreadGap = count > 1 ? (Math.max(space, laneWidth * count) - 2 * EDGE_PAD) / (count - 1) : 0;
  return {
    x: (laneId) =>
      spread && count > 1 ? EDGE_PAD + spreadGap * (index.get(laneId) ?? 0) : laneWidth * ((index.get(laneId) ?? 0) + 0.5),
    has: (laneId) => index.has(laneId),
    y: (index) => HEADER + row * (index + 0.5),
    width: Math.max(space, laneWidth * lanes.length),
    height: bodyHeight(model.rows.length, row),
  };
}

/** Height of the rows' drawing for a model of `rowCount` rows. */
export function bodyHeight(rowCount: number, rowHeight: number = ROW): number {
  return HEADER + rowHeight * (rowCount + 1);
}

/** The rows between two scroll offsets, with a margin so that a small scroll needs no redraw to look right. */
export function rowWindow(scrollTop: number, viewportHeight: number, rowHeight: number = ROW, margin = 12): RowWindow {
  const first = Math.floor((scrollTop - HEADER) / rowHeight);
  return { from: Math.max(0, first - margin), to: first + Math.ceil(viewportHeight / rowHeight) + margin };
}

/** The first index whose item's row is at least `row`, in items sorted (within LONG_ARROW_ROWS) by that row. */
function firstAtOrAfter<T>(items: readonly T[], row: number, rowOf: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rowOf(items[mid] as T) < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The arrows and marks with something in the window. Both are made in row order (arrows within a
 * few rows of it), so a binary search finds where the window starts and the walk stops where it
 * ends; an arrow that reaches down from far above (bytes read long after they were written) is
 * found among the model's long arrows.
 */
function inWindow(model: SequenceModel, window: RowWindow | undefined): { arrows: Arrow[]; marks: Mark[] } {
  if (window === undefined) return { arrows: model.arrows, marks: model.marks };
  const arrows: Arrow[] = [];
  const seen = new Set<string>();
  for (let i = firstAtOrAfter(model.arrows, window.from - LONG_ARROW_ROWS, (a) => a.startRow); i < model.arrows.length; i++) {
    const arrow = model.arrows[i] as Arrow;
    if (arrow.startRow > window.to + LONG_ARROW_ROWS) break;
    if (arrow.startRow <= window.to && arrow.endRow >= window.from) {
      arrows.push(arrow);
      seen.add(arrow.id);
    }
  }
  for (const arrow of model.longArrows ?? model.arrows.filter((a) => a.endRow - a.startRow > LONG_ARROW_ROWS)) {
    if (!seen.has(arrow.id) && arrow.startRow <= window.to && arrow.endRow >= window.from) arrows.push(arrow);
  }
  const marks: Mark[] = [];
  for (let i = firstAtOrAfter(model.marks, window.from, (m) => m.row); i < model.marks.length; i++) {
    const mark = model.marks[i] as Mark;
    if (mark.row > window.to) break;
    marks.push(mark);
  }
  return { arrows, marks };
}

/** Times on the left, only where they change (and at the top of the window), so a burst of events reads as one instant. */
function timeLabels(
  model: SequenceModel,
  window: RowWindow | undefined,
  format: (t: number) => string,
): { row: number; text: string }[] {
  const labels: { row: number; text: string }[] = [];
  const from = window?.from ?? 0;
  const to = Math.min(model.rows.length - 1, window?.to ?? Number.POSITIVE_INFINITY);
  for (let i = from; i <= to; i++) {
    const t = model.rows[i]?.t;
    if (t !== undefined && (i === from || t !== model.rows[i - 1]?.t)) labels.push({ row: i, text: format(t) });
  }
  return labels;
}

type AttrValue<D> = string | number | null | undefined | ((d: D) => string | number | null | undefined);

/**
 * d3's attr() and text(), but touching only what changes: an SVG element given the same class,
 * marker or text again is still invalidated, laid out and repainted, and this runs every frame.
 */
/** Any selection of elements bound to D, whatever its parent. */
type AnySelection<D> = Selection<any, D, any, any>;

function setAttr<D>(selection: AnySelection<D>, name: string, value: AttrValue<D>): void {
  selection.each(function (d) {
    const element = this as Element;
    const raw = typeof value === 'function' ? value(d) : value;
    const next = raw === null || raw === undefined ? null : String(raw);
    if (element.getAttribute(name) === next) return;
    if (next === null) element.removeAttribute(name);
    else element.setAttribute(name, next);
  });
}

function setText<D>(selection: AnySelection<D>, value: string | ((d: D) => string)): void {
  selection.each(function (d) {
    const element = this as Element;
    const next = typeof value === 'function' ? value(d) : value;
    if (element.textContent !== next) element.textContent = next;
  });
}

type Handlers = Pick<SequenceOptions, 'onSelect' | 'onMove' | 'onFocusItem'>;

/** Each drawing's current handlers, by its <svg>. */
const handlersOf = new WeakMap<SVGSVGElement, Handlers>();

/**
 * Click, Enter or Space selects; arrow keys, Home and End move. A key the diagram uses goes no
 * further, so a stepper around it does not also take it as "step" or "play".
 */
function onItemEvent(body: SVGSVGElement, event: Event, item: Arrow | Mark): void {
  const handlers = handlersOf.get(body);
  if (handlers === undefined) return;
  if (event.type === 'focus') {
    handlers.onFocusItem?.(item);
    return;
  }
  if (event instanceof KeyboardEvent) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const move = moveForKey(event.key);
    if (move === undefined && event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    event.stopPropagation();
    if (move !== undefined) handlers.onMove?.(item, move);
    else handlers.onSelect(item);
    return;
  }
  event.preventDefault();
  handlers.onSelect(item);
}

/** What a screen reader calls an arrow: the text drawn on it first (WCAG 2.5.3), then what it looks like. */
function arrowName(arrow: Arrow): string {
  const looks = [
    arrow.reconstructed ? 'reconstructed' : arrow.captured ? 'captured' : undefined,
    arrow.lost ? 'lost' : arrow.inFlight ? 'in flight' : undefined,
  ].filter((word) => word !== undefined);
  return [arrow.label.replaceAll('\n', ' '), ...looks].join(', ');
}

/**
 * Draws a session as a sequence diagram into an <svg>. Stateless: call it again with the next
 * model and keyed joins add, move or remove only what changed.
 */
export function sequenceDiagram(target: SequenceTarget, model: SequenceModel, options: SequenceOptions): Drawn {
  const rowHeight = options.rowHeight ?? ROW;
  const lanesShown = shownLanes(model, options.window);
  const at = layout(model, lanesShown, options.width, options.minLaneWidth ?? MIN_LANE, rowHeight, options.spread ?? false);
  const { x, y, width, height } = at;
  const step = options.heightStep ?? 1;
  const canvasHeight = Math.ceil(height / step) * step;
  const shown = inWindow(model, options.window);
  const visibleArrows = shown.arrows.filter((arrow) => at.has(arrow.from) && at.has(arrow.to));
  const visibleMarks = shown.marks.filter((mark) => at.has(mark.lane));
  const markSizes = new Map(visibleMarks.map((mark) => [`${mark.lane}|${mark.row}`, markWidth(mark.label)]));
  const isNew = (id: string, from: number | undefined) => from === undefined || Number(id.slice(1)) >= from;
  const ends = (arrow: Arrow) => endpoints(arrow, at, markSizes);
  // A label slides away from a mark at either end of its arrow, so the two never overlap.
  const labelAt = (arrow: Arrow): Point => {
    const markedStart = markSizes.has(`${arrow.from}|${arrow.startRow}`);
    const markedEnd = markSizes.has(`${arrow.to}|${arrow.endRow}`);
    const t = markedStart && !markedEnd ? 0.62 : markedEnd && !markedStart ? 0.38 : 0.5;
    return {
      x: x(arrow.from) + (x(arrow.to) - x(arrow.from)) * t,
      y: y(arrow.startRow) + (y(arrow.endRow) - y(arrow.startRow)) * t,
    };
  };
  // Listeners are bound once, when an element enters; they ask here for the current handlers.
  const body = target.body.node() as SVGSVGElement;
  handlersOf.set(body, { onSelect: options.onSelect, onMove: options.onMove, onFocusItem: options.onFocusItem });
  /** A new arrow or mark: a button that asks for the drawing's current handlers when used. */
  const selectable = <D extends Arrow | Mark>(enter: Selection<EnterElement, D, SVGGElement, string>) =>
    enter
      .append('g')
      .attr('role', 'button')
      .attr('data-item', (d) => d.id)
      .on('click keydown focus', (event: Event, d) => onItemEvent(body, event, d));
  const tabStop = (d: Arrow | Mark) => (d.id === options.roving ? 0 : -1);
  const laneNames = new Map(model.lanes.map((lane) => [lane.id, lane.name ?? lane.title]));
  const svg = target.body
    .call(setAttr, 'width', width)
    .call(setAttr, 'height', canvasHeight)
    .call(setAttr, 'viewBox', `0 0 ${width} ${canvasHeight}`);
  target.times
    .call(setAttr, 'width', GUTTER)
    .call(setAttr, 'height', canvasHeight)
    .call(setAttr, 'viewBox', `0 0 ${GUTTER} ${canvasHeight}`)
    .selectAll<SVGTextElement, { row: number; text: string }>('text')
    .data(timeLabels(model, options.window, options.formatTime ?? formatMicros), (d) => String(d.row))
    .join('text')
    .call(setAttr, 'x', GUTTER - 10)
    .call(setAttr, 'y', (d) => y(d.row) + 4)
    .call(setAttr, 'text-anchor', 'end')
    .call(setText, (d) => d.text);
  target.header
    .call(setAttr, 'width', width)
    .call(setAttr, 'height', HEADER_HEIGHT)
    .call(setAttr, 'viewBox', `0 0 ${width} ${HEADER_HEIGHT}`)
    .selectAll<SVGGElement, Lane>('g.seq-lane-head')
    .data(lanesShown, (d) => d.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', (d) => `seq-lane-head seq-lane-${d.kind}`);
      g.append('text').call(setAttr, 'class', 'seq-lane-title').call(setAttr, 'text-anchor', 'middle').call(setAttr, 'y', 20);
      g.append('text').call(setAttr, 'class', 'seq-lane-address').call(setAttr, 'text-anchor', 'middle').call(setAttr, 'y', 38);
      return g;
    })
    .call((g) =>
      g
        .select('.seq-lane-title')
        .call(setAttr, 'x', (d) => x(d.id))
        .call(setText, (d) => d.title),
    )
    .call((g) =>
      g
        .select('.seq-lane-address')
        .call(setAttr, 'x', (d) => x(d.id))
        .call(setText, (d) => d.address ?? ''),
    );
  const duration = options.reducedMotion ? 0 : ENTER_MS;

  const uid = svg.attr('data-uid');
  const head = (d: Arrow) =>
    d.lost || d.inFlight
      ? null
      : `url(#${uid}-${d.kind === 'data' || d.kind === 'fin' || d.kind === 'rst' ? d.kind : 'handshake'})`;
  svg
    .selectAll('defs')
    .data([null])
    .join((enter) => {
      const defs = enter.append('defs');
      for (const kind of ['data', 'handshake', 'fin', 'rst']) {
        defs
          .append('marker')
          .call(setAttr, 'id', `${uid}-${kind}`)
          .call(setAttr, 'viewBox', '0 0 10 10')
          .call(setAttr, 'refX', 9)
          .call(setAttr, 'refY', 5)
          // Fixed size in pixels, so a highlighted (thicker) arrow keeps the same head.
          .call(setAttr, 'markerUnits', 'userSpaceOnUse')
          .call(setAttr, 'markerWidth', 10)
          .call(setAttr, 'markerHeight', 10)
          .call(setAttr, 'orient', 'auto-start-reverse')
          .append('path')
          .call(setAttr, 'd', 'M0,0 L10,5 L0,10 z')
          .call(setAttr, 'class', `seq-head seq-head-${kind}`);
      }
      return defs;
    });

  const layer = (name: string) =>
    svg.selectAll<SVGGElement, string>(`g.${name}`).data([name]).join('g').call(setAttr, 'class', name);

  // Marks sit under the arrows, so an arrow's label is never hidden by a box on a narrow screen.
  for (const name of ['seq-lanes', 'seq-marks', 'seq-arrows']) layer(name);

  const lanes = layer('seq-lanes')
    .selectAll<SVGGElement, Lane>('g.seq-lane')
    .data(lanesShown, (d) => d.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', (d) => `seq-lane seq-lane-${d.kind}`);
      g.append('line').call(setAttr, 'class', 'seq-lifeline');
      return g;
    });
  lanes
    .select('line')
    .call(setAttr, 'x1', (d) => x(d.id))
    .call(setAttr, 'x2', (d) => x(d.id))
    .call(setAttr, 'y1', (d) => y(d.firstRow) - rowHeight / 2)
    // An open lane runs to the bottom of the drawing, which changes only in steps.
    .call(setAttr, 'y2', (d) => (d.lastRow === undefined ? canvasHeight : y(d.lastRow)));

  const arrows = layer('seq-arrows')
    .selectAll<SVGGElement, Arrow>('g.seq-arrow')
    .data(visibleArrows, (d) => d.id)
    .join(
      (enter) => {
        const g = selectable(enter);
        g.append('line').call(setAttr, 'class', 'seq-hit');
        g.append('line').call(setAttr, 'class', 'seq-shaft');
        g.append('text').call(setAttr, 'class', 'seq-label');
        g.append('text').call(setAttr, 'class', 'seq-cross').call(setAttr, 'text-anchor', 'middle').call(setText, '✕');
        // The longer sentence is the accessible description (SVG's <title> after an aria-label), and a tooltip.
        g.append('title');
        // Only arrows new to the model animate in; one scrolled back into view is simply there.
        const fresh = g.filter((d) => isNew(d.id, options.animateFrom?.arrows));
        g.filter((d) => !isNew(d.id, options.animateFrom?.arrows))
          .select('.seq-shaft')
          .call(setAttr, 'x1', (d) => ends(d)[0].x)
          .call(setAttr, 'y1', (d) => ends(d)[0].y)
          .call(setAttr, 'x2', (d) => ends(d)[1].x)
          .call(setAttr, 'y2', (d) => ends(d)[1].y);
        fresh
          .select<SVGLineElement>('.seq-shaft')
          .call(setAttr, 'x1', (d) => ends(d)[0].x)
          .call(setAttr, 'y1', (d) => ends(d)[0].y)
          .call(setAttr, 'x2', (d) => ends(d)[0].x)
          .call(setAttr, 'y2', (d) => ends(d)[0].y)
          .transition()
          .duration(duration)
          .ease(easeCubicOut)
          .attr('x2', (d) => ends(d)[1].x)
          .attr('y2', (d) => ends(d)[1].y);
        fresh
          .select('.seq-label')
          .style('opacity', 0)
          .transition()
          .delay(duration / 2)
          .duration(duration / 2)
          .style('opacity', 1);
        return g;
      },
      (update) => {
        // Old arrows do not move; one whose bytes were just read reaches its new end at once.
        update
          .select('.seq-shaft')
          .call(setAttr, 'x1', (d) => ends(d)[0].x)
          .call(setAttr, 'y1', (d) => ends(d)[0].y)
          .call(setAttr, 'x2', (d) => ends(d)[1].x)
          .call(setAttr, 'y2', (d) => ends(d)[1].y);
        return update;
      },
    )
    .call(
      setAttr,
      'class',
      (d) =>
        `seq-arrow seq-${d.kind}${d.reconstructed ? ' seq-reconstructed' : ''}${d.captured ? ' seq-captured' : ''}` +
        `${d.lost ? ' seq-lost' : ''}${d.inFlight ? ' seq-inflight' : ''}${d.id === options.selected ? ' is-selected' : ''}`,
    )
    .call(setAttr, 'aria-label', arrowName)
    .call(setAttr, 'aria-pressed', (d) => String(d.id === options.selected))
    .call(setAttr, 'tabindex', tabStop);

  arrows.select('title').call(setText, (d) => d.description);
  arrows.select('.seq-shaft').call(setAttr, 'marker-end', head);
  arrows
    .select('.seq-cross')
    .call(setAttr, 'display', (d) => (d.lost ? null : 'none'))
    .call(setAttr, 'x', (d) => ends(d)[1].x)
    .call(setAttr, 'y', (d) => ends(d)[1].y + 5);
  arrows
    .select('.seq-hit')
    .call(setAttr, 'x1', (d) => ends(d)[0].x)
    .call(setAttr, 'y1', (d) => ends(d)[0].y)
    .call(setAttr, 'x2', (d) => ends(d)[1].x)
    .call(setAttr, 'y2', (d) => ends(d)[1].y);
  arrows
    .select('.seq-label')
    .call(setAttr, 'x', (d) => labelAt(d).x)
    .call(setAttr, 'y', (d) => labelAt(d).y - 6 - LABEL_LINE * (d.label.split('\n').length - 1))
    .call(setAttr, 'text-anchor', 'middle')
    .selectAll('tspan')
    .data((d) => {
      const lines = d.label.split('\n');
      const suffix = d.reconstructed ? ' ⟲' : d.captured ? ' ●' : '';
      // A later line starts with a space, so that the label's text (what assistive technology and axe read) keeps its words apart.
      return lines.map((text, i) => ({ text: i === 0 ? text + suffix : ` ${text}`, x: labelAt(d).x, first: i === 0 }));
    })
    .join('tspan')
    .call(setAttr, 'x', (d) => d.x)
    .call(setAttr, 'dy', (d) => (d.first ? 0 : LABEL_LINE))
    .call(setAttr, 'class', (d) => (d.first ? null : 'seq-label-more'))
    .call(setText, (d) => d.text);

  const marks = layer('seq-marks')
    .selectAll<SVGGElement, Mark>('g.seq-mark')
    .data(visibleMarks, (d) => d.id)
    .join((enter) => {
      const g = selectable(enter);
      g.append('rect').call(setAttr, 'rx', 4);
      g.append('text').call(setAttr, 'text-anchor', 'middle');
      g.filter((d) => isNew(d.id, options.animateFrom?.marks))
        .style('opacity', 0)
        .transition()
        .duration(duration)
        .style('opacity', 1);
      return g;
    })
    .call(setAttr, 'class', (d) => `seq-mark seq-mark-${d.tone}${d.id === options.selected ? ' is-selected' : ''}`)
    .call(setAttr, 'aria-label', (d) => `${d.label} on ${laneNames.get(d.lane) ?? d.lane}`)
    .call(setAttr, 'aria-pressed', (d) => String(d.id === options.selected))
    .call(setAttr, 'tabindex', tabStop);

  marks
    .select('text')
    .call(setAttr, 'x', (d) => x(d.lane))
    .call(setAttr, 'y', (d) => y(d.row) + 4)
    .call(setText, (d) => d.label);
  marks
    .select<SVGRectElement>('rect')
    .call(setAttr, 'x', (d) => x(d.lane) - markWidth(d.label) / 2)
    .call(setAttr, 'y', (d) => y(d.row) - 10)
    .call(setAttr, 'width', (d) => markWidth(d.label))
    .call(setAttr, 'height', 20);
  return { height, width, x: (laneId) => (at.has(laneId) ? x(laneId) : undefined), y };
}

type Svg = Selection<SVGSVGElement, unknown, null, undefined>;

/** The lane titles (sticky while the rows scroll down), the times (sticky while the lanes scroll sideways) and the rows. */
export type SequenceTarget = { header: Svg; times: Svg; body: Svg };

let mounted = 0;

export function mountSequenceDiagram(container: HTMLElement, label: string): SequenceTarget {
  const root = select(container);
  mounted += 1;
  const headRow = root.append('div').attr('class', 'seq-head-row').attr('aria-hidden', 'true');
  headRow.append('div').attr('class', 'seq-corner');
  const bodyRow = root.append('div').attr('class', 'seq-body-row');
  return {
    header: headRow.append('svg').attr('class', 'seq-header'),
    times: bodyRow.append('svg').attr('class', 'seq-times').attr('aria-hidden', 'true'),
    body: bodyRow
      .append('svg')
      .attr('data-uid', `seq${mounted}`)
      .attr('class', 'seq-diagram')
      .attr('role', 'group')
      .attr('aria-label', label),
  };
}
