import { describe, expect, it } from 'vitest';
import { markDone, parseProgress, rememberPlace } from '../../../src/client/progress.ts';

describe('progress', () => {
  it('reads back what it stores, and starts afresh from anything else', () => {
    const progress = rememberPlace(markDone({ done: [] }, 'selectors', true), 'echo-server', 'An echo server', 812.6);
    expect(parseProgress(JSON.stringify(progress))).toEqual({
      done: ['selectors'],
      last: { lesson: 'echo-server', title: 'An echo server', scrollY: 813 },
    });
    for (const stored of [null, '', '{', '[]', '{"done":"x"}', '{"done":[],"last":{"lesson":"a","title":"b","scrollY":-1}}'])
      expect(parseProgress(stored)).toEqual({ done: [] });
  });

  it('marks a lesson done once, and undone', () => {
    const once = markDone(markDone({ done: ['a'] }, 'b', true), 'b', true);
    expect(once.done).toEqual(['a', 'b']);
    expect(markDone(once, 'a', false).done).toEqual(['b']);
  });
});
