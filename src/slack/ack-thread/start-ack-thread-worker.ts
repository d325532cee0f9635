import type { Worker } from "node:worker_threads";
import { startModuleWorker } from "./start-module-worker.js";

/**
 * Starts the ack thread's worker (`run-ack-thread.ts`), which loads and waits for `listen`. Light on purpose
 * (it imports nothing of the bot), so that the entry point can call it before loading the bot and the
 * thread's own loading overlaps the bot's; hand the worker to `prepareAckThreadFrontend`.
 */
export function startAckThreadWorker(): Worker {
  const worker = startModuleWorker(import.meta.url, "run-ack-thread");
  // Until it listens it must not keep the process alive (a start that fails exits normally).
  worker.unref();
  return worker;
}
