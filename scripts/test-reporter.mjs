// A test report a person can read, for node's test runner
// (--test-reporter=./scripts/test-reporter.mjs; scripts/test-engines.ts uses it):
// one line per test file as it finishes, with its counts and time; then every
// failure in full (its name, the error with its diff and stack, and what its
// file printed); then one line of totals. Written for the events of Node 20
// and Node 24 alike. It is JavaScript because Node 20 loads reporters without
// the `--import tsx` hooks.
//
// How tests are counted (node's own summary counts some of these otherwise):
// - a test that is skipped or marked todo counts as skipped, never as passed,
//   and a failing todo test is expected to fail: skipped too;
// - a skipped describe() counts as one skipped test: node never runs its body,
//   so the tests inside it are unknown (node counts nothing);
// - a suite that failed because its tests failed adds nothing (they count
//   themselves); one that failed for itself (a hook threw) is one failure;
// - a test file that failed outside any test (its process crashed or exited
//   early, a top-level hook threw, work went on after its tests ended) is one
//   failure, shown with everything the file printed.
//
// The last line, `N passed, N failed, N skipped (...)`, is what
// scripts/test-engines.ts reads.
import { relative, resolve } from "node:path";
import { inspect } from "node:util";

/** @typedef {import("node:test/reporters").TestEvent} TestEvent */
/** @typedef {{ passed: number, failed: number, skipped: number }} Counts */
/** @typedef {{ title: string, error: unknown, durationMs?: number }} Failure */
/**
 * @typedef {object} FileReport
 * @property {string} name
 * @property {Counts} counts
 * @property {Failure[]} failures
 * @property {string[]} output What the file's process printed (stdout and stderr) and what node said about it, in order.
 * @property {string[]} running The names of the suite and test now running, by nesting level: the title of a failure.
 * @property {boolean} processFailed Set once the failure of the file's process is counted: node reports it twice.
 * @property {boolean} reported
 */
/**
 * What node wraps a failure in (ERR_TEST_FAILURE); what the test threw is its cause.
 * @typedef {Error & { failureType?: string, cause?: unknown, exitCode?: number | null, signal?: string | null }} TestFailure
 */

/** Lines of a failing file's output shown at most: the last ones, where a crash says why. */
const OUTPUT_LINES = 200;

const NODE_SUMMARY = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) [\d.]+$/;

/**
 * @param {AsyncIterable<TestEvent>} source
 * @returns {AsyncGenerator<string>}
 */
export default async function* testReporter(source) {
  const started = performance.now();
  /** @type {Map<string, FileReport>} */
  const files = new Map();
  /** What node said that names no file (Node 20 names none for work that went on after a test ended). */
  const notes = [];

  /** @param {string | undefined} path */
  const fileOf = (path) => {
    const name = path ? relative(process.cwd(), path) : "(no file)";
    let file = files.get(name);
    if (!file) {
      file = {
        name,
        counts: { passed: 0, failed: 0, skipped: 0 },
        failures: [],
        output: [],
        running: [],
        processFailed: false,
        reported: false,
      };
      files.set(name, file);
    }
    return file;
  };

  for await (const event of source) {
    switch (event.type) {
      case "test:start": {
        const { data } = event;
        if (isFileItself(data)) break;
        const { running } = fileOf(data.file);
        running.length = data.nesting;
        running.push(data.name);
        break;
      }
      case "test:pass": {
        const { data } = event;
        if (isFileItself(data)) break;
        const { counts } = fileOf(data.file);
        if (data.details.type === "suite") {
          if (isMarked(data.skip)) counts.skipped += 1;
        } else if (isMarked(data.skip) || isMarked(data.todo)) {
          counts.skipped += 1;
        } else {
          counts.passed += 1;
        }
        break;
      }
      case "test:fail": {
        const { data } = event;
        const file = fileOf(data.file);
        const error = /** @type {TestFailure} */ (data.details.error);
        if (isFileItself(data)) {
          fileFailed(file, error);
        } else if (data.details.type === "suite" && error.failureType === "subtestsFailed") {
          // Its tests count themselves.
        } else if (isMarked(data.todo)) {
          file.counts.skipped += 1;
        } else {
          file.counts.failed += 1;
          const title = [...file.running.slice(0, data.nesting), data.name].join(" › ");
          file.failures.push({ title, error, durationMs: data.details.duration_ms });
        }
        break;
      }
      case "test:complete": {
        const { data } = event;
        if (!isFileItself(data)) break;
        const file = fileOf(data.file);
        if (data.details.error) fileFailed(file, /** @type {TestFailure} */ (data.details.error));
        file.reported = true;
        yield fileLine(file, data.details.duration_ms);
        break;
      }
      case "test:stdout":
      case "test:stderr":
        fileOf(event.data.file).output.push(event.data.message);
        break;
      case "test:diagnostic": {
        const { data } = event;
        if (data.file) fileOf(data.file).output.push(`[node] ${data.message}\n`);
        else if (!NODE_SUMMARY.test(data.message)) notes.push(data.message);
        break;
      }
    }
  }

  // Files that never finished: the runner stopped, or ran without a process per file.
  for (const file of files.values()) if (!file.reported) yield fileLine(file);

  /** @type {Counts} */
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const { counts } of files.values()) {
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }
  const failing = [...files.values()].filter((file) => file.failures.length > 0);
  if (failing.length > 0) yield `\nfailures:\n${failing.map(describeFailures).join("")}`;
  if (notes.length > 0) yield `\nnode also said:\n${notes.map((note) => indent(note, 2)).join("\n")}\n`;

  const fileCount = `${files.size} file${files.size === 1 ? "" : "s"}`;
  const time = seconds(performance.now() - started);
  yield `\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped (${fileCount}, ${time})\n`;
}

/**
 * The test node makes for each file it runs in a process of its own; it is named after the file.
 * @param {{ name: string, nesting: number, file?: string }} data
 */
function isFileItself(data) {
  // Node 20 names it by its absolute path, Node 24 by the path it was given.
  return data.nesting === 0 && data.file !== undefined && resolve(data.name) === resolve(data.file);
}

/**
 * A file failed outside any test.
 * @param {FileReport} file
 * @param {TestFailure} error
 */
function fileFailed(file, error) {
  if (error.failureType === "subtestsFailed") return; // Its tests count themselves.
  // A failed process (it carries exitCode) comes both as the file's test:complete and as a test:fail.
  if ("exitCode" in error) {
    if (file.processFailed) return;
    file.processFailed = true;
  }
  file.counts.failed += 1;
  file.failures.push({ title: "(outside any test)", error });
}

/**
 * `skip` and `todo` are present, as true or a reason, only on the tests they mark.
 * @param {string | boolean | undefined} value
 */
function isMarked(value) {
  return value !== undefined && value !== false;
}

/**
 * @param {FileReport} file
 * @param {number} [durationMs]
 */
function fileLine(file, durationMs) {
  const { passed, failed, skipped } = file.counts;
  const mark = failed > 0 ? "✖" : passed > 0 ? "✔" : "-";
  const counts = [`${passed} passed`];
  if (failed > 0) counts.push(`${failed} failed`);
  if (skipped > 0) counts.push(`${skipped} skipped`);
  const time = durationMs === undefined ? "(did not finish)" : seconds(durationMs);
  return `${mark} ${file.name.padEnd(34)} ${counts.join(", ").padEnd(30)} ${time.padStart(7)}\n`;
}

/** @param {FileReport} file */
function describeFailures(file) {
  let text = "";
  for (const failure of file.failures) {
    const time = failure.durationMs === undefined ? "" : ` (${seconds(failure.durationMs)})`;
    let description;
    try {
      description = describeError(failure.error);
    } catch (error) {
      // A report with one failure told plainly beats no report at all.
      description = `${String(failure.error)}\n(the reporter could not say more: ${String(error)})`;
    }
    text += `\n✖ ${file.name} › ${failure.title}${time}\n${indent(description, 4)}\n`;
  }
  const output = file.output.join("").trimEnd();
  if (output) {
    const lines = output.split("\n");
    const left = lines.length > OUTPUT_LINES ? `, its first ${lines.length - OUTPUT_LINES} lines left out` : "";
    text += `\n  what ${file.name} printed (stdout and stderr, in order${left}):\n`;
    text += `${indent(lines.slice(-OUTPUT_LINES).join("\n"), 4)}\n`;
  }
  return text;
}

/** @param {unknown} error */
function describeError(error) {
  const failure = /** @type {TestFailure} */ (error);
  if ("exitCode" in failure) {
    const how = failure.signal ? `was killed by ${failure.signal}` : `exited with code ${failure.exitCode}`;
    return `the test file's process ${how}`;
  }
  const cause = failure.cause ?? failure;
  if (typeof cause !== "object" || cause === null) return String(cause);
  const thrown = withoutNodeFrames(cause);
  // A hook's failure says which hook (before, after...); its cause says why.
  const context =
    failure.failureType === "hookFailed" && failure.message !== /** @type {Error} */ (thrown).message
      ? `${failure.message}:\n`
      : "";
  // An assertion's generated message already holds the diff of actual and
  // expected; anything else is inspected, so that its code, details and cause show.
  const assertion = /** @type {{ stack?: string, generatedMessage?: boolean }} */ (thrown);
  if (assertion.generatedMessage === true && assertion.stack) return context + assertion.stack;
  return context + inspect(thrown, { depth: 4, breakLength: 100 });
}

/**
 * A copy of an error (and of its causes) without the stack frames inside node
 * itself, which say nothing about the failure. A copy: Node 24 makes the stack
 * of the errors it hands reporters read-only.
 * @param {object} error
 * @returns {object}
 */
function withoutNodeFrames(error) {
  const properties = Object.getOwnPropertyDescriptors(error);
  const { stack, cause } = /** @type {{ stack?: unknown, cause?: unknown }} */ (error);
  if (typeof stack === "string") {
    const value = stack.replace(/^\s*at (?:.*\()?node:.*\n?/gm, "").trimEnd();
    properties.stack = { value, writable: true, configurable: true, enumerable: false };
  }
  if (typeof cause === "object" && cause !== null) {
    const enumerable = properties.cause?.enumerable ?? false;
    properties.cause = { value: withoutNodeFrames(cause), writable: true, configurable: true, enumerable };
  }
  return Object.create(Object.getPrototypeOf(error), properties);
}

/**
 * @param {string} text
 * @param {number} spaces
 */
function indent(text, spaces) {
  const pad = " ".repeat(spaces);
  return text
    .split("\n")
    .map((line) => (line ? pad + line : line))
    .join("\n");
}

/** @param {number} ms */
function seconds(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
