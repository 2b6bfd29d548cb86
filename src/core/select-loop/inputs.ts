import { bytesLiteral, strLiteral } from './py-value.ts';

/**
 * What the outside world does: scheduled by a scenario, or injected by the learner.
 * `data` is bytes, one character per byte (0–255); `text` is what a person types.
 */
export type LoopInput =
  /** A client connects, from 127.0.0.1 or, with ipv6, from ::1; a slow reader reads only when a drain input says so. */
  | { readonly kind: 'connect'; readonly client: string; readonly slowReader?: boolean; readonly ipv6?: boolean }
  /** A client sends bytes; for a chat client program, another user's message relayed by the chat server. */
  | { readonly kind: 'send'; readonly client: string; readonly data: string }
  /** A client sends its FIN; for a chat client program, the chat server closes the connection. */
  | { readonly kind: 'close'; readonly client: string }
  /** A client aborts its connection with RST (SO_LINGER 0, then close). */
  | { readonly kind: 'reset'; readonly client: string }
  /** A slow reader's recv() takes up to `bytes` bytes, making room in the program's send buffer. */
  | { readonly kind: 'drain'; readonly client: string; readonly bytes: number }
  /** A line typed at a terminal: the program's own input() without `client`, else a client's nc, which sends it with a newline. */
  | { readonly kind: 'type'; readonly client?: string; readonly text: string };

export function inputText(input: LoopInput): string {
  switch (input.kind) {
    case 'connect':
      return `${input.client} connects${input.ipv6 === true ? ' over IPv6' : ''}${input.slowReader === true ? ' (a slow reader)' : ''}`;
    case 'send':
      return `${input.client} sends ${bytesLiteral(input.data)}`;
    case 'close':
      return `${input.client} closes`;
    case 'reset':
      return `${input.client} resets the connection`;
    case 'drain':
      return `${input.client} reads ${input.bytes} byte${input.bytes === 1 ? '' : 's'}`;
    case 'type':
      return `${input.client ?? 'the user'} types ${strLiteral(input.text)}`;
  }
}
