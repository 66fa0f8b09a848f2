#!/usr/bin/env node
// The npm launcher: runs the archlint binary of the platform package npm installed with this
// one (the esbuild/Biome pattern: one optional dependency per platform, only the matching one
// is installed). Arguments, standard streams and the exit status pass through unchanged.
"use strict";

const { spawnSync } = require("node:child_process");

const PLATFORMS = {
  "linux x64": "@archlint/cli-linux-x64",
  "linux arm64": "@archlint/cli-linux-arm64",
  "darwin x64": "@archlint/cli-darwin-x64",
  "darwin arm64": "@archlint/cli-darwin-arm64",
  "win32 x64": "@archlint/cli-win32-x64",
};

function fail(message) {
  process.stderr.write(`archlint: error: ${message}\n`);
  process.exit(2);
}

function binaryPath() {
  // A binary of one's own (a source build, a pinned download) takes precedence.
  if (process.env.ARCHLINT_BINARY) {
    return process.env.ARCHLINT_BINARY;
  }
  const platform = `${process.platform} ${process.arch}`;
  const pkg = PLATFORMS[platform];
  if (!pkg) {
    fail(`no prebuilt archlint for ${platform}; install it with \`cargo install --locked archlint\` and set ARCHLINT_BINARY`);
  }
  const executable = process.platform === "win32" ? "archlint.exe" : "archlint";
  try {
    return require.resolve(`${pkg}/bin/${executable}`);
  } catch {
    fail(`${pkg} is not installed (npm leaves optional dependencies out with --omit=optional or --no-optional); reinstall archlint without it`);
  }
}

const result = spawnSync(binaryPath(), process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  fail(`cannot run archlint: ${result.error.message}`);
}
if (result.signal) {
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 2);
