// CPU time of a process tree and of the bench itself over the measured
// seconds. On two shared cores it tells who was the bottleneck: a server near
// one core busy was saturated (Node serves on one thread); a load generator
// near one core may have been the limit instead, and a floor held back so
// would flatter every share of it. CPU time per request is also the figure
// that depends least on whatever else the machine was doing.
import { readFileSync } from "node:fs";
import { processTree } from "./process-tree.ts";

// Linux's USER_HZ, what /proc/<pid>/stat counts in; 100 on every common kernel.
const TICKS_PER_SECOND = 100;

export type CpuUse = {
  /** Server's CPU time over wall time, in cores (1 = one core busy throughout). */
  serverCores: number;
  /** The bench process's own (the load generator's) CPU time over wall time, in cores. */
  loadGeneratorCores: number;
  /** Server CPU milliseconds per completed request. */
  serverMsPerRequest: number;
  /** The database server's processes (PostgreSQL), in cores; null on SQLite, which runs inside the service. */
  databaseCores: number | null;
  /**
   * Busy cores of everything else on the machine (other processes, the
   * kernel's own work), from /proc/stat: well above zero, someone else's
   * work shared the cores and the figures are low.
   */
  otherCores: number;
};

/** Busy time of the whole machine so far, in seconds (all cores, idle and iowait excluded). */
function machineBusySeconds(): number {
  const [, ...values] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal: steal is time the hypervisor gave to other machines.
  const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND;
}

/** utime + stime of the pid and its live descendants, in seconds. */
function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    try {
      // The fields after the command name, which is in parentheses and may hold spaces.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone while we looked.
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** Starts counting now; finish(requests) gives the use since. */
export function startCpuCount(serverPid: number, databasePid: number | null): { finish(requests: number): CpuUse } {
  const wallStart = performance.now();
  const serverStart = treeCpuSeconds(serverPid);
  const databaseStart = databasePid === null ? 0 : treeCpuSeconds(databasePid);
  const ownStart = process.cpuUsage();
  const machineStart = machineBusySeconds();
  return {
    finish(requests) {
      const wall = (performance.now() - wallStart) / 1000;
      const server = treeCpuSeconds(serverPid) - serverStart;
      const ownUsage = process.cpuUsage(ownStart);
      const own = (ownUsage.user + ownUsage.system) / 1e6;
      const machine = machineBusySeconds() - machineStart;
      const database = databasePid === null ? 0 : treeCpuSeconds(databasePid) - databaseStart;
      return {
        serverCores: server / wall,
        loadGeneratorCores: own / wall,
        serverMsPerRequest: requests > 0 ? (server * 1000) / requests : NaN,
        databaseCores: databasePid === null ? null : database / wall,
        otherCores: Math.max(0, machine - server - own - database) / wall,
      };
    },
  };
}
