import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { type Candidate, rank } from "../../gateway/src/mcp/lean/rank.js";
import { queryTerms, RELATED_WEIGHT, stem, terms, words } from "../../gateway/src/mcp/lean/text.js";

// Ranking of search mode: the text pipeline and BM25F over a small catalogue written like real
// servers' tools (the bench measures the real ones: test/bench/tool-context.ts).

function tool(name: string, description: string, params: Record<string, string> = {}): Tool {
  const properties: Record<string, object> = {};
  for (const [p, d] of Object.entries(params)) properties[p] = { type: "string", description: d };
  return { name, description, inputSchema: { type: "object", properties } };
}

const CATALOGUE: Array<[string, Tool]> = [
  [
    "files",
    tool("read_text_file", "Read the complete contents of a file as text.", { path: "File to read" }),
  ],
  [
    "files",
    tool("write_file", "Create a new file or overwrite an existing file with new content.", {
      path: "Where",
      content: "Text",
    }),
  ],
  [
    "files",
    tool("create_directory", "Create a new directory or ensure a directory exists.", { path: "Dir" }),
  ],
  ["files", tool("list_directory", "Get a detailed listing of all files and directories in a path.")],
  ["files", tool("move_file", "Move or rename files and directories.", { source: "", destination: "" })],
  ["files", tool("getFileInfo", "Retrieve metadata about a path.", { path: "" })],
  ["memory", tool("create_entities", "Create multiple new entities in the knowledge graph.")],
  ["memory", tool("add_observations", "Add new observations to existing entities in the knowledge graph.")],
  [
    "memory",
    tool("search_nodes", "Search for nodes in the knowledge graph based on a query.", { query: "" }),
  ],
  ["browser", tool("browser_take_screenshot", "Take a screenshot of the current page.")],
  ["browser", tool("browser_navigate", "Navigate to a URL.", { url: "The URL to navigate to" })],
  ["browser", tool("browser_navigate_back", "Go back to the previous page.")],
  ["browser", tool("browser_click", "Perform click on a web page.", { element: "Element description" })],
  [
    "thinking",
    tool(
      "sequentialthinking",
      "A detailed tool for dynamic and reflective problem-solving through thoughts. Each thought can build on, question or revise previous insights as the thinking process goes on.",
      { thought: "Your current thinking step", nextThoughtNeeded: "Whether another thought step is needed" },
    ),
  ],
  [
    "everything",
    tool("get-sum", "Returns the sum of two numbers.", { a: "First number", b: "Second number" }),
  ],
];

const candidates: Candidate[] = CATALOGUE.map(([server, t]) => ({
  server,
  name: `${server}__${t.name}`,
  tool: t,
}));
const top = (query: string, limit = 5) => rank(candidates, query, limit).map((r) => r.name);

describe("lean search: text to terms", () => {
  test("words split on separators and camelCase, lowercased", () => {
    assert.deepEqual(words("read_text_file"), ["read", "text", "file"]);
    assert.deepEqual(words("get-sum"), ["get", "sum"]);
    assert.deepEqual(words("getFileInfo URLParser"), ["get", "file", "info", "url", "parser"]);
    assert.deepEqual(words("  "), []);
  });

  const stems: Array<[string[], string]> = [
    [["file", "files", "filing"], stem("file")],
    [["directory", "directories"], stem("directory")],
    [["create", "created", "creating", "creates"], stem("create")],
    [["run", "running"], "run"],
    [["navigate", "navigation", "navigated"], stem("navigate")],
    [["modify", "modified"], "modify"],
    [["relation", "relations", "relationship"], stem("relation")],
    [["entity", "entities"], "entity"],
  ];
  for (const [forms, want] of stems) {
    test(`stem: ${forms.join(", ")} meet`, () => {
      for (const f of forms) assert.equal(stem(f), want, f);
    });
  }

  test("stop words are dropped", () => {
    assert.deepEqual(terms("take a screenshot of the page"), [stem("take"), "screenshot", stem("page")]);
  });

  test("related words weigh less unless the catalogue lacks the user's word", () => {
    const known = queryTerms("make a folder", () => true);
    assert.equal(known.get(stem("folder")), 1);
    assert.equal(known.get(stem("directory")), RELATED_WEIGHT);
    const unknown = queryTerms("make a folder", (t) => t !== stem("folder"));
    assert.equal(unknown.get(stem("directory")), 1);
  });

  test("a URL stands for url, a file name for file", () => {
    assert.ok(queryTerms("go to https://example.com/a?b=c").has("url"));
    assert.ok(queryTerms("visit example.com").has("url"));
    assert.ok(queryTerms("show config.yaml").has(stem("file")));
    assert.ok(!queryTerms("go to https://example.com").has("com"));
  });
});

describe("lean search: ranking", () => {
  const cases: Array<{ query: string; first?: string; inTop?: [string, number] }> = [
    { query: "read a file", first: "files__read_text_file" },
    { query: "create a directory", first: "files__create_directory" },
    { query: "make a new folder", first: "files__create_directory" },
    { query: "rename a file", first: "files__move_file" },
    { query: "list the files in a folder", first: "files__list_directory" },
    { query: "file info", first: "files__getFileInfo" },
    { query: "store a memory about a person", inTop: ["memory__create_entities", 2] },
    { query: "remember a fact", inTop: ["memory__add_observations", 3] },
    { query: "take a screenshot of the page", first: "browser__browser_take_screenshot" },
    { query: "go to https://example.com", first: "browser__browser_navigate" },
    { query: "go back", first: "browser__browser_navigate_back" },
    { query: "click a button", first: "browser__browser_click" },
    { query: "think step by step", first: "thinking__sequentialthinking" },
    { query: "add two numbers", first: "everything__get-sum" },
    { query: "browser_click", first: "browser__browser_click" },
    { query: "files__move_file", first: "files__move_file" },
  ];
  for (const c of cases) {
    test(`"${c.query}"`, () => {
      const got = top(c.query);
      if (c.first) assert.equal(got[0], c.first, `got ${got.join(", ")}`);
      if (c.inTop) assert.ok(got.slice(0, c.inTop[1]).includes(c.inTop[0]), `got ${got.join(", ")}`);
    });
  }

  test("a word naming a server lifts that server's tools", () => {
    assert.ok(top("memory").every((n) => n.startsWith("memory__")));
    assert.ok(top("create in memory")[0]?.startsWith("memory__"));
  });

  test("nothing matches: no results; limit is respected; scores descend", () => {
    assert.deepEqual(top("quantum entanglement"), []);
    assert.deepEqual(top(""), []);
    assert.equal(top("file", 2).length, 2);
    const scores = rank(candidates, "create a file", 10).map((r) => r.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
  });

  test("an empty catalogue gives nothing", () => {
    assert.deepEqual(rank([], "read a file"), []);
  });

  test("a changed tool definition is indexed anew", () => {
    const before: Candidate = { server: "x", name: "x__t", tool: tool("t", "Paint a fence.") };
    assert.equal(rank([before], "paint")[0]?.name, "x__t");
    const after: Candidate = { ...before, tool: tool("t", "Wash a car.") };
    assert.deepEqual(rank([after], "paint"), []);
    assert.equal(rank([after], "wash")[0]?.name, "x__t");
  });
});
