export type { LoopWorld, LoopThread, LoopEvent, LoopOptions, Counters, Frame, Spin, ProgramId, Wait, CallRecord, Traceback } from './world.ts';
export { createLoop } from './world.ts';
export { stepLoop, runLoop, isWaitingForNetwork, isSettled } from './step.ts';
export type { LoopInput } from './inputs.ts';
export { inputText } from './inputs.ts';
export type { Applied } from './apply-input.ts';
export { applyInput, possibleInputs } from './apply-input.ts';
export type { LoopScenario } from './scenarios.ts';
export { SCENARIOS, scenarioById, scenariosFor } from './scenarios.ts';
export type { Program, ProgramInfo, Loaded } from './program.ts';
export { loadProgram } from './program.ts';
export { PROGRAM_INFO, programInfo } from './programs.ts';
export { explainStep, waitText } from './explain.ts';
export type { LoopRun, RunStop, RunOutcome } from './run-source.ts';
export { runSource, buildRun, MAX_RUN_STEPS } from './run-source.ts';
export type { LinePrediction } from './prediction.ts';
export { predictNextLine, lineChoices, stepLines } from './prediction.ts';
export type { Comparison, ComparisonRow } from './comparison.ts';
export { createComparison } from './comparison.ts';
export type { ClientWait } from './waiting-clients.ts';
export { waitingClients } from './waiting-clients.ts';
export { PREVIEW_PLACEHOLDER, unescapePreview, bytesFromPreview, fromSandbox } from './fromSandbox.ts';
export type {
  Address,
  Kernel,
  KernelSocket,
  FreshSocket,
  ListeningSocket,
  ConnectedSocket,
  Peer,
  PeerKind,
  Readiness,
} from './kernel.ts';
export { SERVER_HOST, SERVER_PORT, DEFAULT_SEND_BUFFER, addressText, findSocket, socketByFd, findPeer, readiness, writableSocket } from './kernel.ts';
export type { EventName, Registration, Ready, Selector } from './selector.ts';
export { EVENT_READ, EVENT_WRITE, maskNames, maskText } from './selector.ts';
export type { PyValue, Vars, HeapObj } from './py-value.ts';
export { bytesLiteral, strLiteral } from './py-value.ts';
export type { SourceProblem } from '../python/ast.ts';
export { SUPPORTED } from '../python/parse.ts';
export type { EventLoop, AsyncTask, TaskState, TaskWait, LoopHandle, LoopTimer, Transport, InternalCoro, AwaitOp, FutureCallback } from './event-loop.ts';
export { handleText, timerText, taskWaitText } from './explain-asyncio.ts';
export type { Simplification } from './simplifications.ts';
export { SIMPLIFICATIONS } from './simplifications.ts';
