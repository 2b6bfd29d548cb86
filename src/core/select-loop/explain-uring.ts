import type { CallRecord, Wait } from '../python/frame.ts';
import type { LoopWorld } from './world.ts';
import { plural } from './show.ts';

/** Sentences for the uring teaching module's calls; undefined for calls that are not its own. Display only. */
export function uringCallText(w: LoopWorld, c: CallRecord): string | undefined {
  const ring = w.ring;
  switch (c.call) {
    case 'uring.Ring':
      return `Ring(${c.args?.join(', ') ?? ''}) calls io_uring_setup(): the kernel makes a submission queue of ${c.args?.[0] ?? '?'} SQEs and a completion queue of twice as many, shared with the program's memory, and the ring takes fd ${c.fd ?? '?'}.`;
    case 'ring.prep_accept':
    case 'ring.prep_recv':
    case 'ring.prep_send':
    case 'ring.prep_close': {
      const op = c.call.slice('ring.prep_'.length);
      return `prep_${op}() writes an SQE, "${op} on fd ${c.fd ?? '?'}", into the submission queue (${c.result ?? ''}). That is a write to shared memory: no system call, and the kernel has not seen it yet.`;
    }
    case 'ring.submit':
      return c.result === '0'
        ? 'submit() finds the submission queue empty and returns 0 without entering the kernel.'
        : c.syscall === undefined
          ? `submit() publishes ${plural(Number(c.result), 'SQE')}; the kernel's SQ polling thread takes them, so there is no system call.`
          : `submit() makes one io_uring_enter() call that hands ${plural(Number(c.result), 'SQE')} to the kernel. It starts each at once: whatever can finish now is already in the completion queue when the call returns.`;
    case 'ring.submit_and_wait':
    case 'ring.wait_cqe': {
      const name = c.call.slice('ring.'.length);
      if (c.result === undefined) {
        const handed = c.args?.[0] === 'submitted 0' ? '' : ` hands ${c.args?.[0]?.replace('submitted ', '') ?? ''} SQE(s) to the kernel and`;
        return `${name}() calls io_uring_enter(), which${handed} finds the completion queue empty: the thread sleeps in the kernel until a request completes (${plural(ring?.inFlight.length ?? 0, 'request')} in flight).`;
      }
      if (c.call === 'ring.submit_and_wait') return `${name}() returns ${c.result}: its io_uring_enter() call submitted ${plural(Number(c.result), 'SQE')} and returned once the completion queue held a CQE.`;
      return c.syscall === undefined
        ? `wait_cqe() finds ${c.result ?? 'a CQE'} at the head of the completion queue: read from shared memory, no system call.`
        : `wait_cqe() wakes with ${c.result ?? 'a CQE'}: the kernel posted it and io_uring_enter() returned.`;
    }
    case 'ring.peek_cqe':
      return `peek_cqe() looks at the head of the completion queue without entering the kernel: ${c.result ?? 'None'}.`;
    case 'ring.cqe_seen':
      return `cqe_seen() moves the completion queue's head past ${c.args?.[0] ?? 'the CQE'}, freeing its slot; no system call.`;
    case 'ring.close':
      return `close() tears the ring down and frees fd ${c.fd ?? '?'}.`;
    default:
      return undefined;
  }
}

export function uringWaitText(wait: Extract<Wait, { call: 'io_uring_enter' }>): string {
  return `io_uring_enter() on ring fd ${wait.ring}: asleep until ${wait.want === 1 ? 'a completion arrives' : `${wait.want} completions arrive`} (${plural(wait.inFlight, 'request')} in flight)`;
}
