/**
 * The SQLite store file was upgraded by a newer hwc-chatops (its schema version is above what this build
 * knows): the usual sign of a rollback after an upgrade, since upgrades are one-way. A setting or a deployment
 * to fix, not a bug: reported in one line at start, saying both ways out.
 */
export class StoreSchemaTooNewError extends Error {
  override readonly name = "StoreSchemaTooNewError";

  constructor(
    /** The database file, as `STORE_URL` names it. */
    readonly file: string,
    /** The file's schema version. */
    readonly version: number,
    /** The newest schema version this build knows. */
    readonly known: number,
  ) {
    super(
      `the store file ${file} has schema version ${version}, written by a newer hwc-chatops; this version knows up to ${known}: run the newer version again, or restore the copy of the file taken before the upgrade (the upgrade is one-way)`,
    );
  }
}
