/**
 * The embedded SQLite file cannot be opened as the bot's database: the path is a directory, is not a
 * database, or cannot be created. A setting to fix (`STORE_URL`), not a bug: reported in one line at start.
 */
export class StoreOpenError extends Error {
  override readonly name = "StoreOpenError";

  constructor(
    readonly file: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(
      `${file} cannot be opened as the bot's SQLite database (${reason}); point STORE_URL at a file of its own, e.g. sqlite://./data/hwc-chatops.sqlite`,
      options,
    );
  }
}
