// The dl extension's code: starts `dlc lsp`, the dl language server, for
// `.dl` files. Plain CommonJS with no build step: VS Code loads this file as
// it is, and editors/tests/extension.test.mjs loads it with a stubbed API.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** The running client, stopped on deactivation. */
let client;

/** `dlc lsp`, spoken to over standard input and output. */
function serverOptions(command) {
  return { command, args: ['lsp'], transport: TransportKind.stdio };
}

/**
 * The scheme of the stdlib's read-only documents (`dlc-std:std/aws.dl`), where
 * go to definition lands inside the stdlib, and the server's request that
 * returns such a document's text (src/lsp/mod.rs, READ_STDLIB).
 */
const STDLIB_SCHEME = 'dlc-std';
const READ_STDLIB = 'dlc/readStdlib';

/**
 * Opens `dlc-std:` documents with the text the server has compiled in: the
 * stdlib is not on disk, so VS Code cannot read it any other way.
 */
function stdlibProvider(languageClient) {
  return {
    provideTextDocumentContent: (uri, token) =>
      languageClient.sendRequest(READ_STDLIB, { uri: uri.toString() }, token),
  };
}

/** dl files, saved or not yet saved. */
function clientOptions() {
  return {
    documentSelector: [
      { scheme: 'file', language: 'dl' },
      { scheme: 'untitled', language: 'dl' },
    ],
  };
}

/**
 * The file `command` runs: itself when it names a path, else the first
 * match on PATH (with Windows' extensions). Undefined when there is none.
 */
function findExecutable(command, env = process.env) {
  const isFile = (candidate) => {
    try {
      return fs.statSync(candidate).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/') || command.includes('\\')) {
    return isFile(command) ? command : undefined;
  }
  const extensions = process.platform === 'win32'
    ? ['', ...(env.PATHEXT || '.EXE;.CMD;.BAT').split(';')]
    : [''];
  for (const folder of (env.PATH || '').split(path.delimiter).filter(Boolean)) {
    for (const extension of extensions) {
      const candidate = path.join(folder, command + extension);
      if (isFile(candidate)) {
        return candidate;
      }
    }
  }
  return undefined;
}

/** Says that dlc is missing, and how to point the extension at it. */
async function reportMissing(command) {
  const openSettings = 'Open Settings';
  const choice = await vscode.window.showErrorMessage(
    `dl: cannot start the language server: \`${command}\` was not found. ` +
      'Install dlc (`cargo install --locked --path .` in its repository) or set ' +
      '`dlc.path` to the dlc binary, then reload the window.',
    openSettings,
  );
  if (choice === openSettings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'dlc.path');
  }
}

async function activate(context) {
  const setting = vscode.workspace.getConfiguration('dlc').get('path');
  const command = typeof setting === 'string' && setting.trim() !== '' ? setting.trim() : 'dlc';
  if (findExecutable(command) === undefined) {
    await reportMissing(command);
    return;
  }
  client = new LanguageClient('dlc', 'dlc language server', serverOptions(command), clientOptions());
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    vscode.window.showErrorMessage(
      `dl: \`${command} lsp\` did not start (${error && error.message ? error.message : error}). ` +
        'A dlc older than the language server has no `lsp` command: update dlc.',
    );
    return;
  }
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(STDLIB_SCHEME, stdlibProvider(client)),
  );
}

function deactivate() {
  return client === undefined ? undefined : client.stop();
}

module.exports = { activate, deactivate, findExecutable };
