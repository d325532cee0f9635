/**
 * ECS `servers/detail` tags (`key=value` for 2D tags, bare strings for 1D ones) as the key → value map the
 * policy, the views and the watchers use. A bare tag becomes a key with an empty value; the first `=` splits
 * key and value. On duplicate keys the first one wins (ECS does not allow duplicates; this only keeps the
 * result stable). `__proto__` is never a key of the result.
 */
export function parseServerTags(tags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags) {
    const at = tag.indexOf("=");
    const key = at < 0 ? tag : tag.slice(0, at);
    const value = at < 0 ? "" : tag.slice(at + 1);
    if (key === "" || key === "__proto__" || Object.hasOwn(out, key)) continue;
    out[key] = value;
  }
  return out;
}
