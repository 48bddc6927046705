// Entry point of the `memlens` CLI (dist/cli.js).
export {};
