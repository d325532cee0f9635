import { describe, expect, it } from "vitest";
import { isHttpBaseUrl } from "../../src/config/is-http-base-url.js";

describe("isHttpBaseUrl", () => {
  it.each([
    "https://ecs.ap-southeast-1.myhuaweicloud.com",
    "https://slack.com/api/",
    "http://127.0.0.1:8080/prefix",
  ])("accepts %s", (url) => {
    expect(isHttpBaseUrl(url)).toBe(true);
  });

  it.each([
    "",
    "slack.com/api",
    "ftp://example.com",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "https://slack.com/api/?token=x",
    "https://slack.com/api/#frag",
    "https://",
    "https://proxyuser:Sup3rS3cretPW@127.0.0.1:1/api/",
    "https://proxyuser@slack.com/api/",
  ])("refuses %j", (url) => {
    expect(isHttpBaseUrl(url)).toBe(false);
  });
});
