// A progress bar on stderr for long work (reading, importing and exporting
// large files), drawn by cli-progress, and only where a person watches: when
// stderr is a terminal. Redirected to a file or read by a script, stderr gets
// nothing but the messages of terminal.ts, as before.
import { SingleBar } from "cli-progress";

export type Progress = {
  /** Starts a bar for `label`, counting `unit`s up to `total`, in place of the one before. */
  start(label: string, total: number, unit?: "bytes" | "records"): void;
  update(done: number): void;
  /** Takes the bar off the screen, before a result or a failure is printed. */
  stop(): void;
};

const NO_PROGRESS: Progress = { start() {}, update() {}, stop() {} };

const size = (bytes: number) => (bytes < 1_000_000 ? `${Math.ceil(bytes / 1_000)} kB` : `${(bytes / 1_000_000).toFixed(1)} MB`);

/** Whether a bar is drawn on `stream`: only on a terminal, never into a pipe or a file. */
export const showsProgress = (stream: { isTTY?: boolean }): boolean => stream.isTTY === true;

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!showsProgress(stream)) return NO_PROGRESS;
  let bar: SingleBar | null = null;
  let format = (value: number) => String(value);
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    start(label, total, unit = "records") {
      stop();
      format = unit === "bytes" ? size : (value) => value.toLocaleString("en-US");
      bar = new SingleBar({
        stream,
        format: `${label} [{bar}] {percentage}% | {done} of {all} | {eta_formatted} left`,
        clearOnComplete: true,
        hideCursor: true,
        etaBuffer: 50,
      });
      bar.start(total, 0, { done: format(0), all: format(total) });
    },
    update(done) {
      bar?.update(done, { done: format(done) });
    },
    stop,
  };
}
