import {
  classify,
  formatSegment,
  serverEndOf,
  type Endpoint,
  type HostRef,
  type Segment,
  type World,
} from '../core/tcp/index.ts';
import { twoLineLabel, type Arrow, type ArrowKind, type Lane, type Mark, type SequenceModel } from './sequence-model.ts';

/**
 * Draws a stepped TCP run with the same sequence diagram as the live sandbox: one lane per client
 * and one for the server, a row per step, an arrow per segment from the step that sent it to the
 * step that delivered (or lost) it. Pure: the worlds up to the cursor decide everything.
 */

const SERVER_LANE = 'server';
const clientLane = (index: number) => `client-${index}`;

const KIND_OF: Record<ReturnType<typeof classify>, ArrowKind> = {
  SYN: 'syn',
  'SYN-ACK': 'syn-ack',
  ACK: 'ack',
  data: 'data',
  FIN: 'fin',
  RST: 'rst',
  nothing: 'ack',
};

function laneOfSegmentSender(world: World, segment: Segment): string {
  if (segment.from === 'server') return SERVER_LANE;
  const index = world.clients.findIndex((client) => client.endpoint.localPort === segment.srcPort);
  return clientLane(Math.max(0, index));
}

function laneOfSegmentReceiver(world: World, segment: Segment): string {
  if (segment.from === 'client') return SERVER_LANE;
  const index = world.clients.findIndex((client) => client.endpoint.localPort === segment.dstPort);
  return clientLane(Math.max(0, index));
}

function laneOfHost(host: HostRef): string {
  return host.side === 'client' ? clientLane(host.index) : SERVER_LANE;
}

/** A flow-graph label, relative to each side's ISN or absolute; options go on a second line. */
export function segmentText(world: World, segment: Segment, absolute: boolean): string {
  const clientPort = segment.from === 'client' ? segment.srcPort : segment.dstPort;
  const client: Endpoint | undefined = world.clients.find((c) => c.endpoint.localPort === clientPort)?.endpoint;
  const server = serverEndOf(world, clientPort);
  const text = formatSegment(segment, {
    relativeTo: absolute ? undefined : { client: client?.iss, server: server?.iss },
    windowShift: { client: client?.rcvShift ?? 0, server: server?.rcvShift ?? 0 },
  });
  return twoLineLabel(text);
}

/** What a lane's header says now: the socket's state (the listener's, then each connection's). */
function laneState(world: World, lane: string): string {
  if (lane === SERVER_LANE) {
    const listener = world.server.listener;
    const connections = listener.connections.map((connection) => connection.state);
    return [listener.socket.state, ...connections].join(' · ');
  }
  const index = Number(lane.slice('client-'.length));
  return world.clients[index]?.endpoint.state ?? '';
}

export function buildTcpSequenceModel(worlds: readonly World[], cursor: number, absolute: boolean): SequenceModel {
  const now = worlds[Math.min(cursor, worlds.length - 1)];
  if (now === undefined) return { lanes: [], arrows: [], marks: [], rows: [], listeners: [] };
  const lanes: Lane[] = [
    ...now.clients.map((client, index): Lane => ({
      id: clientLane(index),
      kind: 'client',
      title: `${client.name} :${client.endpoint.localPort}`,
      name: client.name,
      address: laneState(now, clientLane(index)),
      connection: 0,
      firstRow: 0,
    })),
    {
      id: SERVER_LANE,
      kind: 'server',
      title: `${now.server.name} :${now.server.listener.socket.localPort}`,
      name: now.server.name,
      address: laneState(now, SERVER_LANE),
      connection: 0,
      firstRow: 0,
    },
  ];
  const arrows: Arrow[] = [];
  const marks: Mark[] = [];
  const bySegment = new Map<number, Arrow>();
  const markText = new Map<string, string[]>();
  const note = (lane: string, row: number, text: string) => {
    const key = `${lane}|${row}`;
    markText.set(key, [...(markText.get(key) ?? []), text]);
  };

  const last = Math.min(cursor, worlds.length - 1);
  for (let row = 0; row <= last; row++) {
    const world = worlds[row] as World;
    const event = world.event;
    switch (event.kind) {
      case 'start':
        // Every scenario's server has listened before step 0; the transition note below adds "→ LISTEN".
        note(SERVER_LANE, row, 'listen()');
        world.clients.forEach((client, index) => note(clientLane(index), row, client.endpoint.state));
        break;
      case 'app': {
        const call = event.call.op === 'close-listener' ? 'close()' : `${event.call.op}()`;
        note(laneOfHost(event.host), row, event.result.ok ? call : `${call} ✗ ${event.result.error}`);
        break;
      }
      case 'timer':
        note(
          laneOfHost(event.host),
          row,
          // Words, not a clock emoji: a machine without an emoji font drew ⏱ as a missing glyph.
          event.timer === 'retransmit' ? 'RTO expires' : event.timer === 'time-wait' ? '2·MSL expires' : 'persist timer expires',
        );
        break;
      case 'deliver':
      case 'drop': {
        const arrow = bySegment.get(event.segment.id);
        if (arrow !== undefined) {
          arrow.endRow = row;
          arrow.inFlight = false;
          if (event.kind === 'drop') {
            arrow.lost = true;
            arrow.description += `; lost (${event.reason})`;
          }
        }
        break;
      }
    }
    // The state a step moved to is written after the call or timer that moved it.
    if ('transition' in event && event.transition !== undefined) {
      note(laneOfHost(event.host), row, event.transition.hops.map((hop) => `→ ${hop.to}`).join(' '));
    }
    // A run may start with a segment already on its way, such as an old duplicate SYN.
    const sent = 'sent' in event ? event.sent : event.kind === 'start' ? world.network.inFlight.map((item) => item.segment) : [];
    for (const segment of sent) {
      const from = laneOfSegmentSender(world, segment);
      const to = laneOfSegmentReceiver(world, segment);
      const label = segmentText(world, segment, absolute);
      const arrow: Arrow = {
        id: `seg-${segment.id}`,
        kind: KIND_OF[classify(segment)],
        from,
        to,
        startRow: row,
        endRow: last + 1,
        label,
        reconstructed: false,
        inFlight: true,
        events: [],
        segment,
        description: `${segment.from} → ${segment.from === 'client' ? 'server' : 'client'}: ${label.replace('\n', ' ')}`,
      };
      arrows.push(arrow);
      bySegment.set(segment.id, arrow);
    }
  }
  for (const [key, texts] of markText) {
    const [lane, row] = key.split('|');
    marks.push({
      id: `tm-${key}`,
      lane: lane ?? '',
      row: Number(row),
      label: texts.join(' '),
      tone: texts.some((t) => t.includes('✗')) ? 'error' : 'call',
      events: [],
    });
  }
  const rows = worlds.slice(0, last + 2).map((world) => ({ t: world.clock.now }));
  if (rows.length <= last + 1) rows.push({ t: now.clock.now });
  return { lanes, arrows, marks, rows, listeners: [] };
}
