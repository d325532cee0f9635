import { describe, expect, it } from "vitest";
import {
  actions,
  bold,
  button,
  codeBlock,
  context,
  divider,
  header,
  list,
  md,
  pagination,
  section,
  select,
} from "../../src/render/message-model.js";
import { renderPlainText } from "../../src/render/render-plain-text.js";

describe("renderPlainText", () => {
  it("renders every part readably, values as they are", () => {
    const text = renderPlainText(
      {
        text: "x",
        blocks: [
          header("Servers <prod>"),
          section({ text: md`Owner: ${bold("*ops*")}`, fields: ["a", "b"] }),
          context("one", "two"),
          divider(),
          list(
            [
              {
                status: "ACTIVE",
                title: "web-1",
                subtitle: "s6",
                fields: [{ label: "IP", value: "10.0.0.1" }],
              },
              { title: "web-2" },
              { title: "web-3" },
            ],
            { total: 10 },
          ),
          actions(
            button({ id: "a", label: "Go", value: "1" }),
            select({ id: "s", placeholder: "Pick", options: [] }),
          ),
          pagination({ id: "p", page: 2, pageCount: 3, value: "" }),
          codeBlock("out\nput"),
        ],
      },
      { maxListItems: 2 },
    );
    expect(text).toBe(
      [
        "# Servers <prod>",
        "Owner: *ops*",
        "  a",
        "  b",
        "one | two",
        "---",
        ":large_green_circle: web-1 · ACTIVE — s6",
        "    IP: 10.0.0.1",
        "• web-2",
        "…and 8 more",
        "[Go] [Pick ▾]",
        "Page 2 of 3 [◀ Previous] [Next ▶]",
        "```",
        "out",
        "put",
        "```",
      ].join("\n"),
    );
  });
});
