/** `npm run bench:ack`: only the ack, CPU and start-up figures (see `bench-ack.ts`). */
import { benchAck } from "./bench-ack.js";

console.log(`hwc-chatops ack benchmark — node ${process.version}, ${new Date().toISOString()}\n`);
await benchAck((name, figure, detail) =>
  console.log(`${name.padEnd(58)} ${figure.padStart(16)}${detail ? `  (${detail})` : ""}`),
);
