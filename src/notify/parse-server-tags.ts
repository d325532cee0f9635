/**
 * ECS tags as a map. `servers/detail` returns 2D tags as `key=value` strings (and 1D tags as bare
 * strings, kept with an empty value). The first `=` separates key and value; a later duplicate key wins.
 */
export function parseServerTags(tags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags) {
    const eq = tag.indexOf("=");
    const key = eq < 0 ? tag : tag.slice(0, eq);
    if (key === "" || key === "__proto__") continue;
    out[key] = eq < 0 ? "" : tag.slice(eq + 1);
  }
  return out;
}
