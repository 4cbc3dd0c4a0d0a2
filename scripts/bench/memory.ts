// Peak memory of a process tree, from Linux's /proc: VmHWM is the kernel's own
// record of a process's largest resident set, so a short spike between two
// polls is not missed. Polling is still needed to find the descendants (a
// future WEB_CONCURRENCY cluster's workers) and to keep the figure of a child
// that exits before the end.
import { readFileSync } from "node:fs";
import { processTree } from "./process-tree.ts";

export type MemoryPeak = {
  /** Sum of each process's own peak (VmHWM), in bytes: an upper bound of the tree's peak at any one moment. */
  totalBytes: number;
  /** The largest single process's peak, in bytes. */
  maxProcessBytes: number;
  /** The largest sum of resident sets seen at one poll, in bytes. */
  totalAtOnceBytes: number;
  processes: number;
};

/** A field of /proc/<pid>/status in bytes, or null when the process is gone. */
function statusBytes(pid: number, field: "VmHWM" | "VmRSS"): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Polls the tree under `root` every `intervalMs` until stop() is called, which returns the peaks. */
export function watchMemory(root: number, intervalMs = 200): { stop(): MemoryPeak } {
  const peaks = new Map<number, number>();
  let totalAtOnce = 0;
  const poll = () => {
    let rssNow = 0;
    for (const pid of processTree(root)) {
      const hwm = statusBytes(pid, "VmHWM");
      if (hwm !== null) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, hwm));
      rssNow += statusBytes(pid, "VmRSS") ?? 0;
    }
    totalAtOnce = Math.max(totalAtOnce, rssNow);
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return {
    stop() {
      poll();
      clearInterval(timer);
      const values = [...peaks.values()];
      return {
        totalBytes: values.reduce((sum, n) => sum + n, 0),
        maxProcessBytes: Math.max(0, ...values),
        totalAtOnceBytes: totalAtOnce,
        processes: values.length,
      };
    },
  };
}
