/** Thrown by the control interface for unknown IDs and invalid patches (the admin API maps `status`). */
export class SimControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = "SimControlError";
  }
}
