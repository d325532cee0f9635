import { CloudError } from "../cloud/errors.js";

const MAX_ERROR_TEXT = 300;

/** A cloud failure as one line (never contains credentials: CloudError carries none). */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof CloudError) {
    text = `${error.code}${error.status !== undefined ? ` (HTTP ${error.status})` : ""}: ${error.message}`;
  } else if (error instanceof Error) text = `${error.name}: ${error.message}`;
  else text = String(error);
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT - 1)}…` : text;
}
