/** Progress lines: bar, rate and ETA when the total is known; redraw on a TTY, periodic lines otherwise. */
import { describe, expect, it } from 'vitest';
import { formatProgress, progressSink } from '../../src/scan/progress.ts';

function fakeStream(tty: boolean): NodeJS.WriteStream & { out: string } {
  const s = { isTTY: tty, out: '', write(c: string) { s.out += c; return true; } };
  return s as unknown as NodeJS.WriteStream & { out: string };
}

describe('progress', () => {
  it('formats messages, MB, rate and ETA', () => {
    const line = formatProgress({ source: 'a.mbox', messages: 1000, bytes: 50 * 1048576, totalBytes: 200 * 1048576 }, 2000);
    expect(line).toContain('25%');
    expect(line).toContain('1000 msgs, 50.0 MB, 500 msg/s, 25.0 MB/s ETA 6s');
    expect(formatProgress({ source: 'pi', messages: 10, bytes: 1048576 }, 1000)).not.toContain('ETA');
  });
  it('redraws in place on a TTY and prints plain lines at an interval otherwise', () => {
    let now = 0;
    const tty = fakeStream(true);
    const a = progressSink(tty, { now: () => now, intervalMs: 100 });
    for (let i = 1; i <= 10; i++) {
      now += 50;
      a.update({ source: 's', messages: i, bytes: i });
    }
    a.done();
    expect(tty.out).toContain('\r\x1b[K');
    expect(tty.out.endsWith('\n')).toBe(true);
    now = 0;
    const pipe = fakeStream(false);
    const b = progressSink(pipe, { now: () => now, intervalMs: 5000 });
    for (let i = 1; i <= 100; i++) {
      now += 100;
      b.update({ source: 's', messages: i, bytes: i });
    }
    b.done();
    expect(pipe.out).not.toContain('\r');
    expect(pipe.out.trim().split('\n')).toHaveLength(3); // t=100, t=5100, final
  });
});
