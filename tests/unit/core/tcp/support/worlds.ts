import type { Segment, World, WorldEvent } from '../../../../../src/core/tcp/index.ts';
import { eventLog, trace } from '../../../../../src/core/tcp/index.ts';

export function run(w: World, maxSteps = 200_000): World[] {
  return trace(w, maxSteps);
}

export function last(worlds: readonly World[]): World {
  const w = worlds[worlds.length - 1];
  if (w === undefined) throw new Error('empty trace');
  return w;
}

export function events(worlds: readonly World[]): WorldEvent[] {
  return eventLog(last(worlds));
}

/** Every segment put on the wire, with the time it was sent. */
export function sentSegments(worlds: readonly World[]): { at: number; segment: Segment }[] {
  return events(worlds).flatMap((e) => ('sent' in e ? e.sent.map((segment) => ({ at: e.at, segment })) : []));
}

/** The states one TCB went through, following its transitions. */
export function statePath(worlds: readonly World[], side: 'client' | 'server', index = 0): string[] {
  const path: string[] = [];
  for (const e of events(worlds)) {
    if (!('transition' in e) || e.transition === undefined) continue;
    const host = e.host;
    const mine = side === 'client' ? host.side === 'client' && host.index === index : host.side === 'server' && host.remotePort !== undefined;
    if (!mine) continue;
    if (path.length === 0) path.push(e.transition.from);
    path.push(...e.transition.hops.map((hop) => hop.to));
  }
  return path;
}

/** The states the server's own socket went through, from the listen() before step 0 on. */
export function listenerPath(worlds: readonly World[]): string[] {
  const path: string[] = [];
  for (const e of events(worlds)) {
    if (!('transition' in e) || e.transition === undefined || e.host.side !== 'server' || e.host.remotePort !== undefined) continue;
    if (path.length === 0) path.push(e.transition.from);
    path.push(...e.transition.hops.map((hop) => hop.to));
  }
  return path;
}
