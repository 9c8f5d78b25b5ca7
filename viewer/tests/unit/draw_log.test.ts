import { describe, expect, it } from 'vitest';
import { ArrivalLag, DrawLog } from '../../src/ui/draw_log';

describe('DrawLog', () => {
  it('samples nothing before the first view update is on screen', () => {
    const log = new DrawLog();
    log.frame(1000);
    log.drew(1, 'wall', 'timestamp', 900_000_000n);
    expect(log.samples()).toEqual([]);
    expect(log.last).toBeNull();
  });

  it('puts an update on screen at the next frame and ages it on every frame after', () => {
    const log = new DrawLog();
    log.drew(1, 'wall', 'timestamp', 1_000_000_000n); // logged at 1000 ms
    log.frame(1030); // on screen
    log.frame(1047); // still on screen, 17 ms older
    log.drew(2, 'wall', 'timestamp', 1_040_000_000n);
    log.frame(1064);
    expect(log.samples()).toEqual([
      { frame: 1, at_ms: 1030, update: 1, timeline: 'wall', time: '1000000000', lag_ms: 30 },
      { frame: 2, at_ms: 1047, update: 1, timeline: 'wall', time: '1000000000', lag_ms: 47 },
      { frame: 3, at_ms: 1064, update: 2, timeline: 'wall', time: '1040000000', lag_ms: 24 },
    ]);
    expect(log.last?.frame).toBe(3);
    expect(log.samples(2).map((s) => s.frame)).toEqual([3]);
  });

  it('has no lag on sequence timelines', () => {
    const log = new DrawLog();
    log.drew(1, 'frame', 'sequence', 7n);
    log.frame(5);
    expect(log.last).toEqual({ frame: 1, at_ms: 5, update: 1, timeline: 'frame', time: '7', lag_ms: null });
  });

  it('keeps at least its capacity of the newest samples', () => {
    const log = new DrawLog(4);
    log.drew(1, null, null, 0n);
    for (let i = 0; i < 11; i++) log.frame(i);
    const frames = log.samples().map((s) => s.frame);
    expect(frames.length).toBeGreaterThanOrEqual(4);
    expect(frames.slice(-4)).toEqual([8, 9, 10, 11]);
    expect(frames[0]).toBeGreaterThan(1);
  });
});

describe('ArrivalLag', () => {
  it('measures lateness against the quickest arrival, whatever the clock offset', () => {
    const a = new ArrivalLag();
    expect(a.behind(0)).toBe(0);
    // The client's clock is 5 s behind the page's: lateness 5030, 5020 (the baseline), 5150.
    a.arrived(1_000_000_000n, 6030);
    a.arrived(1_010_000_000n, 6030);
    expect(a.behind(6030)).toBe(0);
    a.arrived(1_020_000_000n, 6170);
    expect(a.behind(6170)).toBe(130);
    // Nothing arrived for over 100 ms: not behind.
    expect(a.behind(6271)).toBe(0);
    a.clear();
    expect(a.behind(6170)).toBe(0);
  });
});
