import type { SocketEvent } from '../protocol/events.ts';

/**
 * The page-wide event an EchoLab dispatches on `document` with each batch of its session's socket
 * events, so another widget (a stepper fed by the learner's real traffic) can follow the session
 * without opening a sandbox of its own. `reset` marks the start of a new session.
 */
export const SANDBOX_EVENTS = 'socket-playground:sandbox-events';

export type SandboxEventsDetail = { events: readonly SocketEvent[]; reset: boolean };
