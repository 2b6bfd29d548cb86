import { z } from 'zod';
import { socketAddress } from './events.ts';

const uint32 = z.number().int().min(0).max(0xffffffff);

/**
 * A real TCP segment captured on loopback (tcpdump) and parsed on the server. Its fields are the
 * header's own; the diagram turns it into the same Segment shape the TCP model produces.
 */
export const capturedSegment = z.object({
  t: z.number().describe('Capture time in microseconds since the session started (may be slightly negative).'),
  src: socketAddress,
  dst: socketAddress,
  seq: uint32,
  ack: uint32,
  flags: z.object({ SYN: z.boolean(), ACK: z.boolean(), FIN: z.boolean(), RST: z.boolean(), PSH: z.boolean() }),
  window: z.number().int().min(0).max(0xffff).describe('The raw 16-bit window field, unscaled.'),
  options: z.object({
    mss: z.number().int().optional(),
    windowScale: z.number().int().optional(),
    sackPermitted: z.boolean().optional(),
    timestamps: z.object({ tsval: uint32, tsecr: uint32 }).optional(),
  }),
  len: z.number().int().nonnegative().describe('Payload bytes.'),
  preview: z.string().max(80).describe('Short escaped preview of the payload.'),
});
export type CapturedSegment = z.infer<typeof capturedSegment>;

export const captureState = z.object({
  state: z.enum(['off', 'on', 'unavailable']),
  message: z.string().describe('One plain sentence for the page, e.g. why capture is not permitted here.'),
});
export type CaptureState = z.infer<typeof captureState>;
