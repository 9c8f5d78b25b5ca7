// Shared by the live lag test (tests/browser/live_lag.test.mjs) and reel-bench's viewer_live
// (viewer/bench/viewer_live.mjs): figures of the page's per-frame samples
// (window.reel.draws(), docs/viewer.md "Lag").

/** The q-quantile of numbers (nearest rank). */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/**
 * Lag figures of the samples on timeline `timeline` up to wall clock `untilMs` (the stream's
 * end): frames and distinct view updates per second, lag median / p95 / max in ms.
 */
export function lagStats(draws, timeline, untilMs) {
  const samples = draws.filter((d) => d.timeline === timeline && d.lag_ms !== null && d.at_ms <= untilMs);
  if (samples.length < 2) return { frames: samples.length };
  const lags = samples.map((d) => d.lag_ms);
  const spanS = (samples[samples.length - 1].at_ms - samples[0].at_ms) / 1000;
  let maxGap = 0;
  for (let i = 1; i < samples.length; i++) maxGap = Math.max(maxGap, samples[i].at_ms - samples[i - 1].at_ms);
  return {
    frames: samples.length,
    seconds: spanS,
    frames_per_s: samples.length / spanS,
    view_updates_per_s: new Set(samples.map((d) => d.update)).size / spanS,
    // Updates that drew newer data (a new cursor), per second.
    data_updates_per_s: new Set(samples.map((d) => d.time)).size / spanS,
    max_frame_gap_ms: maxGap,
    lag_median_ms: quantile(lags, 0.5),
    lag_p95_ms: quantile(lags, 0.95),
    lag_max_ms: Math.max(...lags),
  };
}
