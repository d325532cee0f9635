/**
 * Whether `value` matches the glob `pattern` as a whole: `*` matches any run of characters (including `:`, so
 * `ecs:*` covers every ECS action), `?` exactly one; everything else is literal. Case-sensitive, like Huawei
 * Cloud resource names and IAM actions. Linear backtracking (no regex), so no pattern can be slow.
 */
export function matchGlob(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const ch = pattern[p];
    if (ch === "*") {
      star = p++;
      resume = v;
    } else if (ch !== undefined && (ch === "?" || ch === value[v])) {
      p++;
      v++;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}
