// A process and its descendants, from Linux's /proc: each thread lists the
// children it started in /proc/<pid>/task/<tid>/children.
import { readdirSync, readFileSync } from "node:fs";

export function processTree(root: number): number[] {
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // Gone.
    }
    found.push(pid);
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
        if (children) queue.push(...children.split(/\s+/).map(Number));
      } catch {
        // The thread ended while we looked.
      }
    }
  }
  return found;
}
