/**
 * The second half of `npm run build`: bundles the compiled `dist/` into `dist/bundle/`, which `npm start` runs.
 * Loading a few bundles instead of some 700 modules takes about 0.5 s off the time to `/healthz` (README,
 * Performance). Two entries, side by side because the bot starts the worker from the file beside its own
 * code: the bot (`main.js`, its lazily imported parts such as the playground as chunks of their own) and the
 * ack thread's worker (`run-ack-thread.js`), bundled on its own so that it shares no chunk with the bot: it
 * loads only the front, not megabytes of the bot it would parse for nothing while the bot starts. Native and
 * worker-spawning packages stay in node_modules: better-sqlite3 (a native addon) and pino with its transports
 * (started by path in worker threads); so do the bot's packages loaded only when first used (see below).
 */
import { cpSync, readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const OUT = "dist/bundle";

/**
 * A build plugin that rewrites the text of the package files matching `filter` with `patch`, which returns
 * the new text and how many of the places it expected it found (`expected` of them). When a release of the
 * package changes those places, the build warns and leaves what it did not find as it is.
 */
function textPatch(name, filter, expected, patch) {
  return {
    name,
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter }, (args) => {
        const { contents, found } = patch(readFileSync(args.path, "utf8"), args.path);
        const warnings =
          found === expected(args.path)
            ? []
            : [
                {
                  text: `${name}: ${found} of ${expected(args.path)} places found in ${args.path} (package changed?)`,
                },
              ];
        return { contents, loader: "js", warnings };
      });
    },
  };
}

/**
 * Bolt's entry points load every receiver when they are loaded: Socket Mode (with its WebSocket client and
 * undici), Express (with body-parser) and AWS Lambda, about 75 ms of the start-up of a bot that uses one of
 * them. This plugin turns those `require`s into getters, so a receiver's code is evaluated when it is first
 * used (the bundle still holds all of it). Likewise Slack's OAuth package (`@slack/oauth`, with jsonwebtoken
 * and its dependencies), which Bolt's index and every receiver load though only an app that installs itself
 * into workspaces uses it (the bot is given its token), about 25 ms of every start: each of those `require`s
 * becomes an object that loads the package on first use, and the package stays in node_modules (external,
 * below). A line not found loads eagerly as before, which is slower, never wrong.
 */
const LAZY_RECEIVERS = ["SocketModeReceiver", "ExpressReceiver", "AwsLambdaReceiver"];
const EAGER_OAUTH = /^(var|const) oauth_1 = require\("@slack\/oauth"\);$/m;
/** How many places each patched file of Bolt has: App.js Socket Mode's; index.js the three and OAuth; a receiver OAuth. */
const expectedLazyLoads = (path) =>
  path.endsWith("App.js") ? 1 : path.endsWith("index.js") ? LAZY_RECEIVERS.length + 1 : 1;
const lazyBoltLoads = textPatch(
  "lazy-bolt-loads",
  /[\\/]@slack[\\/]bolt[\\/]dist[\\/](App|index|receivers[\\/](HTTPReceiver|ExpressReceiver|SocketModeReceiver))\.js$/,
  expectedLazyLoads,
  (text) => {
    let contents = text;
    let found = 0;
    for (const name of LAZY_RECEIVERS) {
      const load = `__importDefault(require("./receivers/${name}"))`;
      // index.js: `const X_1 = load; exports.X = X_1.default;` becomes an export getter.
      const reexport = `const ${name}_1 = ${load};\nexports.${name} = ${name}_1.default;`;
      // App.js: `const X_1 = load;` becomes an object whose `default` loads the receiver when read.
      const binding = `const ${name}_1 = ${load};`;
      if (contents.includes(reexport)) {
        contents = contents.replace(
          reexport,
          `Object.defineProperty(exports, "${name}", { enumerable: true, get: () => ${load}.default });`,
        );
        found++;
      } else if (contents.includes(binding)) {
        contents = contents.replace(
          binding,
          `const ${name}_1 = { get default() { return ${load}.default; } };`,
        );
        found++;
      }
    }
    contents = contents.replace(EAGER_OAUTH, (_line, kind) => {
      found++;
      return `${kind} oauth_1 = new Proxy({}, { get: (_target, key) => require("@slack/oauth")[key] });`;
    });
    return { contents, found };
  },
);

/**
 * The Web API client builds three debug lines for every call (the body, the headers and the result, each
 * walked by its `redact` and serialized to JSON, about 75 µs for a card's blocks) before `logger.debug`
 * drops them at any level but debug. This plugin builds them only when the logger is at debug; the lines
 * are the same when it is.
 */
/** `this.logger.debug(\`http request body: ${JSON.stringify(redact(body))}\`);` and its two siblings. */
const EAGER_DEBUG_LINE =
  /this\.logger\.debug\(`http request (?:result|body|headers): \$\{JSON\.stringify\(redact\(\w+\)\)\}`\);/g;
const lazyWebClientDebug = textPatch(
  "lazy-web-client-debug",
  /[\\/]@slack[\\/]web-api[\\/]dist[\\/]WebClient\.js$/,
  () => 3,
  (text) => {
    let found = 0;
    const contents = text.replace(EAGER_DEBUG_LINE, (line) => {
      found++;
      return `if (this.logger.getLevel() === "debug") ${line}`;
    });
    return { contents, found };
  },
);

const common = {
  outdir: OUT,
  entryNames: "[name]",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["better-sqlite3", "pino", "pino-pretty", "thread-stream"],
  // CommonJS packages inside an ES module bundle still call `require` (for Node's own modules).
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  logLevel: "warning",
  // Less text to decode and compile at start-up (about 30 % fewer bytes); identifiers keep their names, so
  // stack traces still name our functions.
  minifyWhitespace: true,
  minifySyntax: true,
};

rmSync(OUT, { recursive: true, force: true });
// Flat: the bot's chunks and the worker's file in one folder.
await build({
  ...common,
  entryPoints: ["dist/main.js"],
  splitting: true,
  chunkNames: "[name]-[hash]",
  plugins: [lazyBoltLoads, lazyWebClientDebug],
  // Loaded from node_modules when first used, not compiled with the bot at start-up (about 1 MB of the
  // bundle): the receivers they serve are loaded lazily (above), and the cloud client imports its HTTP
  // library on its first request. Socket Mode (with its WebSocket client and undici), Express (a receiver
  // the bot does not use), undici (the cloud client's HTTP library) and Slack's OAuth package (above).
  external: [...common.external, "@slack/socket-mode", "express", "undici", "@slack/oauth"],
});
await build({ ...common, entryPoints: ["dist/slack/ack-thread/run-ack-thread.js"] });
// The playground serves its page from beside its module, in dist/ and in the bundle alike.
cpSync("src/sandbox/playground/public", "dist/sandbox/playground/public", { recursive: true });
cpSync("src/sandbox/playground/public", `${OUT}/public`, { recursive: true });
