import { select, type Selection } from 'd3-selection';
import 'd3-transition';
import { FIGURE_EDGES, type StateEdge, type TcpState } from '../core/tcp/index.ts';

/**
 * RFC 9293's state diagram (Figure 5), laid out as the RFC draws it, with each side's current state
 * lit and the transition just taken highlighted. Stateless: call again with the next model.
 */

export type StateDiagramModel = {
  /** States occupied by the client and by the server's sockets (listener and connections). */
  client: readonly TcpState[];
  server: readonly TcpState[];
  /** The arrows walked in this step, in order, and by which side, if any. */
  taken?: { hops: readonly { from: TcpState; to: TcpState }[]; side: 'client' | 'server' };
};

const WIDTH = 640;
const HEIGHT = 600;
const NODE_W = 140;
const NODE_H = 36;
/** Badge radius, in the drawing's units: its letter is larger than a state's name, to be read on a phone. */
const BADGE_R = 15;
/** A badge's centre sits a little above its box's top edge, clear of the state's name. */
const BADGE_Y = -5;

const POSITIONS: Record<TcpState, { x: number; y: number }> = {
  CLOSED: { x: 320, y: 30 },
  LISTEN: { x: 320, y: 120 },
  'SYN-RECEIVED': { x: 90, y: 210 },
  'SYN-SENT': { x: 520, y: 210 },
  ESTABLISHED: { x: 320, y: 300 },
  'FIN-WAIT-1': { x: 90, y: 390 },
  'CLOSE-WAIT': { x: 520, y: 390 },
  'FIN-WAIT-2': { x: 90, y: 480 },
  CLOSING: { x: 320, y: 480 },
  'LAST-ACK': { x: 520, y: 480 },
  'TIME-WAIT': { x: 320, y: 570 },
};

/** Room above the drawing for a badge on the top box's upper edge. */
const TOP = Math.max(0, BADGE_R - BADGE_Y - (POSITIONS.CLOSED.y - NODE_H / 2)) + 2;

type Point = { x: number; y: number };

/** Where the straight line from a's centre towards b leaves a's box. */
function boxEdge(a: Point, b: Point): Point {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const t = Math.min(dx === 0 ? Infinity : NODE_W / 2 / Math.abs(dx), dy === 0 ? Infinity : NODE_H / 2 / Math.abs(dy));
  return { x: a.x + dx * t, y: a.y + dy * t };
}

/** The long edges back to CLOSED go round the right-hand side, as the RFC draws them, not through the middle. */
const ROUTES: Partial<Record<string, string>> = {
  'TIME-WAIT>CLOSED': 'M390,570 C632,570 632,30 390,30',
  'LAST-ACK>CLOSED': 'M590,480 C618,470 618,44 390,36',
};

/** A gentle curve, bent to the right of its direction, so the two arrows of a pair never overlap. */
function edgePath(edge: StateEdge): string {
  const routed = ROUTES[edgeKey(edge)];
  if (routed !== undefined) return routed;
  const a = POSITIONS[edge.from];
  const b = POSITIONS[edge.to];
  const start = boxEdge(a, b);
  const end = boxEdge(b, a);
  const mx = (start.x + end.x) / 2;
  const my = (start.y + end.y) / 2;
  const length = Math.hypot(end.x - start.x, end.y - start.y) || 1;
  const bend = 18;
  const cx = mx + (-(end.y - start.y) / length) * bend;
  const cy = my + ((end.x - start.x) / length) * bend;
  return `M${start.x},${start.y} Q${cx},${cy} ${end.x},${end.y}`;
}

const edgeKey = (edge: { from: string; to: string }) => `${edge.from}>${edge.to}`;

export function stateDiagram(
  svg: Selection<SVGSVGElement, unknown, null, undefined>,
  model: StateDiagramModel,
  reducedMotion: boolean,
): void {
  svg.attr('viewBox', `0 ${-TOP} ${WIDTH} ${HEIGHT + TOP}`);
  const uid = svg.attr('data-uid');
  svg
    .selectAll('defs')
    .data([null])
    .join((enter) => {
      const defs = enter.append('defs');
      defs
        .append('marker')
        .attr('id', `${uid}-head`)
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        .attr('markerUnits', 'userSpaceOnUse')
        .attr('markerWidth', 9)
        .attr('markerHeight', 9)
        .attr('orient', 'auto')
        .append('path')
        .attr('d', 'M0,0 L10,5 L0,10 z')
        .attr('class', 'fsm-head');
      return defs;
    });
  const takenKeys = new Set((model.taken?.hops ?? []).map(edgeKey));
  const edges = svg
    .selectAll<SVGGElement, string>('g.fsm-edges')
    .data(['edges'])
    .join('g')
    .attr('class', 'fsm-edges')
    .selectAll<SVGPathElement, StateEdge>('path')
    .data(FIGURE_EDGES, edgeKey)
    .join('path')
    .attr('d', edgePath)
    .attr('marker-end', `url(#${uid}-head)`)
    .attr('class', (edge) => `fsm-edge${takenKeys.has(edgeKey(edge)) ? ` is-taken is-${model.taken?.side}` : ''}`);
  edges
    .selectAll('title')
    .data((edge) => [edge])
    .join('title')
    .text((edge) => `${edge.from} → ${edge.to}: ${edge.label}`);
  const taken = edges.filter((edge) => takenKeys.has(edgeKey(edge)));
  if (!reducedMotion) {
    taken
      .attr('stroke-dasharray', '6 6')
      .attr('stroke-dashoffset', 24)
      .transition()
      .duration(600)
      .attr('stroke-dashoffset', 0)
      .on('end', function () {
        select(this).attr('stroke-dasharray', null);
      });
  }

  const nodes = svg
    .selectAll<SVGGElement, string>('g.fsm-nodes')
    .data(['nodes'])
    .join('g')
    .attr('class', 'fsm-nodes')
    .selectAll<SVGGElement, TcpState>('g.fsm-node')
    .data(Object.keys(POSITIONS) as TcpState[], (state) => state)
    .join((enter) => {
      const g = enter.append('g');
      g.append('rect').attr('rx', 8).attr('width', NODE_W).attr('height', NODE_H);
      g.append('text').attr('text-anchor', 'middle');
      g.append('g').attr('class', 'fsm-badges');
      return g;
    })
    .attr('transform', (state) => `translate(${POSITIONS[state].x - NODE_W / 2},${POSITIONS[state].y - NODE_H / 2})`)
    .attr('class', (state) => {
      const client = model.client.includes(state);
      const server = model.server.includes(state);
      return `fsm-node${client ? ' is-client' : ''}${server ? ' is-server' : ''}`;
    });
  nodes
    .select('text')
    .attr('x', NODE_W / 2)
    .attr('y', NODE_H / 2 + 4)
    .text((state) => state);
  // Who is in a state: a lettered disc on the box's top edge.
  const badges = nodes
    .select('.fsm-badges')
    .selectAll<SVGGElement, string>('g.fsm-badge')
    .data((state) => [...(model.client.includes(state) ? ['C'] : []), ...(model.server.includes(state) ? ['S'] : [])])
    .join((enter) => {
      const g = enter.append('g');
      g.append('circle').attr('r', BADGE_R);
      g.append('text').attr('text-anchor', 'middle').attr('y', 7);
      return g;
    })
    .attr('class', (badge) => `fsm-badge fsm-badge-${badge === 'C' ? 'client' : 'server'}`)
    .attr('transform', (_badge, i) => `translate(${NODE_W - BADGE_R - 4 - i * (2 * BADGE_R + 4)},${BADGE_Y})`);
  badges.select('text').text((badge) => badge);
}

let mounted = 0;

export function mountStateDiagram(container: HTMLElement, label: string): Selection<SVGSVGElement, unknown, null, undefined> {
  mounted += 1;
  return select(container)
    .append('svg')
    .attr('class', 'fsm')
    .attr('data-uid', `fsm${mounted}`)
    .attr('role', 'img')
    .attr('aria-label', label);
}
