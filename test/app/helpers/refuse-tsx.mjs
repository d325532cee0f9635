/**
 * Loaded with `node --import` by tests of the shipped start: any attempt to resolve tsx fails the process, so
 * a start that still needs TypeScript at run time cannot pass unnoticed.
 */
import { register } from "node:module";

const hook = `export async function resolve(specifier, context, next) {
  if (/^tsx(\\/|$)/.test(specifier)) throw new Error("tsx at run time: " + specifier);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
