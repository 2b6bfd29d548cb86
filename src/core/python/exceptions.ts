import type { PyValue } from '../select-loop/py-value.ts';
import { int, str } from '../select-loop/py-value.ts';

/** CPython's built-in exception classes the subset can raise or catch, each with its base. */
const BASES: Readonly<Record<string, string | undefined>> = {
  BaseException: undefined,
  Exception: 'BaseException',
  KeyboardInterrupt: 'BaseException',
  SystemExit: 'BaseException',
  ArithmeticError: 'Exception',
  ZeroDivisionError: 'ArithmeticError',
  OverflowError: 'ArithmeticError',
  AssertionError: 'Exception',
  EOFError: 'Exception',
  AttributeError: 'Exception',
  LookupError: 'Exception',
  IndexError: 'LookupError',
  KeyError: 'LookupError',
  NameError: 'Exception',
  UnboundLocalError: 'NameError',
  RuntimeError: 'Exception',
  SystemError: 'Exception',
  RecursionError: 'RuntimeError',
  NotImplementedError: 'RuntimeError',
  StopIteration: 'Exception',
  TypeError: 'Exception',
  ValueError: 'Exception',
  UnicodeError: 'ValueError',
  UnicodeDecodeError: 'UnicodeError',
  UnicodeEncodeError: 'UnicodeError',
  OSError: 'Exception',
  BlockingIOError: 'OSError',
  ConnectionError: 'OSError',
  BrokenPipeError: 'ConnectionError',
  ConnectionAbortedError: 'ConnectionError',
  ConnectionRefusedError: 'ConnectionError',
  ConnectionResetError: 'ConnectionError',
  TimeoutError: 'OSError',
  InterruptedError: 'OSError',
  'struct.error': 'Exception',
  'asyncio.exceptions.CancelledError': 'BaseException',
  'asyncio.exceptions.IncompleteReadError': 'EOFError',
  'asyncio.exceptions.LimitOverrunError': 'Exception',
  'asyncio.exceptions.InvalidStateError': 'Exception',
};

export const EXCEPTION_NAMES: readonly string[] = Object.keys(BASES).filter((n) => !n.includes('.'));

export function isExceptionClass(name: string): boolean {
  return name in BASES;
}

/** True when built-in class `name` is `base` or derives from it. */
export function builtinSubclass(name: string, base: string): boolean {
  for (let n: string | undefined = name; n !== undefined; n = BASES[n]) if (n === base) return true;
  return false;
}


/** The errno values and strerror texts Linux gives for the calls the course makes. */
export const ERRNO = {
  EBADF: [9, 'Bad file descriptor'],
  EAGAIN: [11, 'Resource temporarily unavailable'],
  EPIPE: [32, 'Broken pipe'],
  EADDRINUSE: [98, 'Address already in use'],
  EISCONN: [106, 'Transport endpoint is already connected'],
  ENOTCONN: [107, 'Transport endpoint is not connected'],
  ECONNRESET: [104, 'Connection reset by peer'],
  ECONNREFUSED: [111, 'Connection refused'],
  EINPROGRESS: [115, 'Operation now in progress'],
  EINVAL: [22, 'Invalid argument'],
} as const;

export type ErrnoName = keyof typeof ERRNO;

/** A built-in exception instance. */
export function exc(name: string, ...args: PyValue[]): PyValue {
  return { type: 'exception', cls: { type: 'type', name }, args };
}

/** An OSError subclass as CPython raises it from a failed call: args (errno, strerror). */
export function osError(name: string, errno: ErrnoName): PyValue {
  const [n, text] = ERRNO[errno];
  return { type: 'exception', cls: { type: 'type', name }, args: [int(n), str(text)], errno: n };
}
