// Entry point of the language server (dist/server.js --stdio). Wired up in lsp/.
export {};
