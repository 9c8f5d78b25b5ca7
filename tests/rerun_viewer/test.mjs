// The Rerun web viewer as an oracle for .rrd files (run by run.sh from ctest).
//
// Cases share one browser and page. Each prints "ok"/"FAILED" lines; the last line is
// "N passed, N failed". Screenshots go to OUT for a person to look at.
//
// Usage: node test.mjs OUT
import fs from "node:fs";
import path from "node:path";
import { isTypeError, Oracle, VIEWER_VERSION } from "./harness.mjs";
import { testRecording } from "./rrd_writer.mjs";

const out = path.resolve(process.argv[2] || "out");
fs.mkdirSync(out, { recursive: true });
let passed = 0, failed = 0;
function check(name, cond, detail = "") {
  if (cond) { ++passed; console.log(`ok ${name}${detail ? " (" + detail + ")" : ""}`); }
  else { ++failed; console.log(`FAILED ${name}${detail ? ": " + detail : ""}`); }
}
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// Regions of the 1280x800 page where the viewer's automatic layout for the test recording
// draws its two views (the 3D view of /world left, the time series of /plots right).
const VIEW_3D = { x: 205, y: 60, width: 380, height: 530 };
const VIEW_PLOT = { x: 600, y: 60, width: 370, height: 520 };

const oracle = await Oracle.start({ workDir: out });
try {
  check(`@rerun-io/web-viewer is 0.33.0`, VIEWER_VERSION === "0.33.0", VIEWER_VERSION);

  // 1. A recording written by the independent JavaScript writer opens as written.
  const rec = testRecording();
  fs.writeFileSync(path.join(out, "js_written.rrd"), rec.bytes);
  const url = oracle.serve("js_written.rrd", rec.bytes);
  const opened = await oracle.open(url);
  check("js-written: recording_open ids", opened.application_id === rec.applicationId &&
    opened.recording_id === rec.recordingId, JSON.stringify(opened));
  check("js-written: recording_open version", opened.version === "0.33.0", opened.version);
  const range = await oracle.timeRange(rec.recordingId, rec.timeline);
  check("js-written: time range of step", eq(range, rec.range), JSON.stringify(range));
  await oracle.setPlaying(rec.recordingId, false);
  await oracle.setTime(rec.recordingId, rec.timeline, 0);
  await oracle.settle();
  const early = await oracle.screenshot(path.join(out, "js_written_step0.png"));
  await oracle.setTime(rec.recordingId, rec.timeline, 45);
  await oracle.settle();
  const late = await oracle.screenshot(path.join(out, "js_written_step45.png"));
  const plot = await oracle.pixels(late, VIEW_PLOT);
  check("js-written: the time series draws its line", plot.colored > 300, JSON.stringify(plot));
  const cloud = await oracle.pixels(late, VIEW_3D, early);
  check("js-written: the points move between step 0 and 45", cloud.differing > 30, JSON.stringify(cloud));
  const typeErrors = oracle.typeErrors();
  check("js-written: no type errors on the console", typeErrors.length === 0, typeErrors.join(" | "));

  // 2. The viewer saves what it shows: Rerun's own encoder writes the file.
  const saved = await oracle.saveRecording(path.join(out, "rerun_saved.rrd"));
  const savedBytes = fs.readFileSync(saved.file);
  check("save: a download named data.rrd", saved.suggested === "data.rrd", saved.suggested);
  check("save: an RRF2 stream of Rerun 0.33.0",
    savedBytes.subarray(0, 4).toString() === "RRF2" && eq([...savedBytes.subarray(4, 8)], [0, 33, 0, 0]),
    JSON.stringify([...savedBytes.subarray(0, 12)]));
  check("save: ends with a stream footer", savedBytes.subarray(savedBytes.length - 12, savedBytes.length - 4)
    .toString() === "RRF2FOOT");

  // 3. The saved file opens again with the same ids and range.
  await oracle.close(url);
  const url2 = oracle.serve("rerun_saved.rrd", savedBytes);
  const reopened = await oracle.open(url2);
  check("saved: recording_open ids", reopened.application_id === rec.applicationId &&
    reopened.recording_id === rec.recordingId, JSON.stringify(reopened));
  const range2 = await oracle.timeRange(rec.recordingId, rec.timeline);
  check("saved: time range of step", eq(range2, rec.range), JSON.stringify(range2));
  const typeErrors2 = oracle.typeErrors();
  check("saved: no type errors on the console", typeErrors2.length === 0, typeErrors2.join(" | "));
  await oracle.close(url2);

  // 4. An .rrd written by reel's SDK (write_reel_rrd.cpp): the archetypes both have, in
  // Rerun's layouts, open with the ids and ranges reel wrote, without type errors, and draw.
  const reelFile = path.join(out, "reel_written.rrd");
  if (fs.existsSync(reelFile)) {
    const want = JSON.parse(fs.readFileSync(path.join(out, "reel_written.json"), "utf8"));
    const consoleBefore = oracle.console.length;
    const url3 = oracle.serve("reel_written.rrd", fs.readFileSync(reelFile));
    const r3 = await oracle.open(url3);
    check("reel-written: recording_open ids", r3.application_id === want.application_id &&
      r3.recording_id === want.recording_id, JSON.stringify(r3));
    for (const [timeline, range] of Object.entries(want.ranges)) {
      const got = await oracle.timeRange(want.recording_id, timeline);
      check(`reel-written: time range of ${timeline}`, eq(got, range), JSON.stringify(got));
    }
    await oracle.setPlaying(want.recording_id, false);
    await oracle.setTime(want.recording_id, "frame", 9);
    await oracle.settle(16);
    const shot = await oracle.screenshot(path.join(out, "reel_written_frame9.png"));
    const page = await oracle.pixels(shot, { x: 205, y: 60, width: 860, height: 560 });
    check("reel-written: the views draw", page.colored > 2000, JSON.stringify(page));
    const typeLines = oracle.console.slice(consoleBefore).filter(isTypeError);
    check("reel-written: no type errors on the console", typeLines.length === 0, typeLines.join(" | "));
    await oracle.close(url3);
  } else {
    check("reel-written: the file exists (run.sh's third argument)", false, reelFile);
  }
} catch (err) {
  check("no exception", false, err.stack);
} finally {
  fs.writeFileSync(path.join(out, "console.log"), oracle.console.join("\n"));
  await oracle.stop();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
