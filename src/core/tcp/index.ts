export type { Side, TcpFlags, TcpOptions, Segment, SegmentDraft, FormatOptions } from './segment.ts';
export { flags, seqSpace, otherSide, flagLabel, formatSegment } from './segment.ts';
export { seqAdd, seqSub, seqDiff, seqLt, seqLe, seqGt, seqGe, seqInWindow } from './seq.ts';
export type { TcpState, Cause, StateEdge } from './state.ts';
export { TCP_STATES, SYNCHRONIZED_STATES, STATE_EDGES, FIGURE_EDGES, findEdge } from './state.ts';
export type {
  TimerName,
  SocketError,
  EndpointConfig,
  OutOfOrder,
  Timers,
  Endpoint,
  AppCall,
  EndpointInput,
  CallResult,
  AppNotification,
  EndpointEffect,
  EndpointInit,
  SynBackoff,
} from './tcb.ts';
export type { SynSchedule } from './timeouts.ts';
export { synSchedule } from './timeouts.ts';
export { DEFAULT_CONFIG, createEndpoint, synAcked, ourFinAcked, readable } from './tcb.ts';
export type { Hop, Transition, EndpointStep } from './endpoint.ts';
export { endpointStep } from './endpoint.ts';
export { resetFor } from './reset.ts';
export type { Listener, ListenerInput, ListenerStep } from './listener.ts';
export { DEFAULT_SYN_QUEUE_MAX, createListener, listenerStep, liveConnection, connectionFor, acceptQueueFull } from './listener.ts';
export type { DeliveryMode, LossReason, InFlight, Network } from './network.ts';
export { createNetwork, armDrop, transmit, nextArrival, takeInFlight } from './network.ts';
export type {
  ScriptCall,
  ScriptLine,
  AppRun,
  ClientHost,
  ServerHost,
  HostRef,
  WorldEvent,
  EventLog,
  World,
  WorldAction,
  WorldInit,
  Pending,
} from './simulation.ts';
export {
  newAppRun,
  createWorld,
  eventLog,
  endpointOf,
  hostName,
  serverEndOf,
  segmentLabel,
  pendingEvents,
  isFinished,
  armDropNext,
  step,
  trace,
} from './simulation.ts';
export type { Knobs, Scenario } from './scenarios.ts';
export { DEFAULT_KNOBS, SCENARIOS, SERVER_PORT, CLIENT_PORT, scenarioById, patternBytes } from './scenarios.ts';
export { utf8Bytes, utf8Text } from './bytes.ts';
export type { SegmentKind, Prediction } from './prediction.ts';
export { SEGMENT_KINDS, KIND_LABELS, classify, predictNext } from './prediction.ts';
export type { Simplification } from './simplifications.ts';
export { SIMPLIFICATIONS } from './simplifications.ts';
