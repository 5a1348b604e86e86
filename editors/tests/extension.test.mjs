// The VS Code extension (editors/vscode/extension.js) without VS Code: the
// `vscode` module is a stub that records what the extension asks of it, and
// vscode-languageclient is the pinned package itself (from
// `npm ci --prefix editors/vscode`) with its LanguageClient class replaced
// by one that records how it was built. Run by tests/vscode_extension.rs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Module, { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionDir = path.join(here, '..', 'vscode');
const extensionPath = path.join(extensionDir, 'extension.js');
const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package-lock.json'), 'utf8'));
const requireFromExtension = createRequire(extensionPath);

/** A value that is every function, class and namespace at once. */
function anything() {
  const f = function () {};
  return new Proxy(f, {
    get: (_, key) => (key === 'prototype' ? f.prototype : key === '__esModule' ? true : anything()),
    construct: () => ({}),
    apply: () => anything(),
  });
}

/** What the stubs saw during one activation. */
const seen = {
  clients: [], errors: [], commands: [], providers: [], settings: {}, answer: undefined, startFails: false,
};

/** The `vscode` API: configuration, error messages, commands and content providers are recorded. */
const vscode = new Proxy(
  {
    __esModule: true,
    workspace: {
      getConfiguration: (section) => ({ get: (key) => seen.settings[`${section}.${key}`] }),
      registerTextDocumentContentProvider: (scheme, provider) => {
        const registration = { scheme, provider, disposed: false };
        seen.providers.push(registration);
        return { dispose: () => { registration.disposed = true; } };
      },
    },
    window: {
      showErrorMessage: async (message, ...actions) => {
        seen.errors.push({ message, actions });
        return seen.answer;
      },
    },
    commands: {
      executeCommand: async (...args) => {
        seen.commands.push(args);
      },
    },
  },
  { get: (target, key) => (key in target ? target[key] : anything()) },
);

const realLoad = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? vscode : realLoad.call(this, request, ...rest);
};
const languageClient = requireFromExtension('vscode-languageclient/node');

/** The text the stub server returns for `dlc/readStdlib`. */
const STDLIB_TEXT = '/// Where a lake is deployed.\nrecord Environment {\n}\n';

/** Records its arguments and requests; starts, answers and stops without a server. */
class RecordingClient {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false, requests: [] });
    seen.clients.push(this);
  }
  async sendRequest(method, params, token) {
    this.requests.push({ method, params, token });
    return method === 'dlc/readStdlib' ? STDLIB_TEXT : null;
  }
  async start() {
    if (seen.startFails) {
      throw new Error('Pending response rejected since connection got disposed');
    }
    this.started = true;
  }
  async stop() {
    this.stopped = true;
  }
}

/** A fresh copy of the extension, its `vscode-languageclient/node` recording. */
function loadExtension() {
  const recording = { ...languageClient, LanguageClient: RecordingClient };
  Module._load = function (request, ...rest) {
    if (request === 'vscode') return vscode;
    if (request === 'vscode-languageclient/node') return recording;
    return realLoad.call(this, request, ...rest);
  };
  delete requireFromExtension.cache[extensionPath];
  return requireFromExtension(extensionPath);
}

/** Runs `body` with PATH holding only a folder with a fake `dlc`. */
async function withDlcOnPath(body) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-extension-'));
  const dlc = path.join(folder, process.platform === 'win32' ? 'dlc.exe' : 'dlc');
  fs.writeFileSync(dlc, '#!/bin/sh\n', { mode: 0o755 });
  const saved = process.env.PATH;
  process.env.PATH = folder;
  try {
    await body(dlc);
  } finally {
    process.env.PATH = saved;
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

function reset(settings = {}) {
  Object.assign(seen, {
    clients: [], errors: [], commands: [], providers: [], settings, answer: undefined, startFails: false,
  });
}

test('package.json declares the entry, the activation and the dlc.path setting', () => {
  assert.equal(manifest.main, './extension.js');
  assert.ok(fs.existsSync(path.join(extensionDir, manifest.main)));
  assert.ok(manifest.files.includes('extension.js'), 'the packaged files include extension.js');
  const language = manifest.contributes.languages[0].id;
  assert.deepEqual(manifest.activationEvents, [`onLanguage:${language}`]);
  const setting = manifest.contributes.configuration.properties['dlc.path'];
  assert.equal(setting.type, 'string');
  assert.equal(setting.default, 'dlc');
});

test('vscode-languageclient is pinned, locked, and fits the VS Code the extension needs', () => {
  const pinned = manifest.dependencies['vscode-languageclient'];
  assert.match(pinned, /^\d+\.\d+\.\d+$/, 'an exact version, so npm ci is reproducible');
  assert.equal(lock.packages['node_modules/vscode-languageclient'].version, pinned);
  assert.deepEqual(lock.packages[''].dependencies, manifest.dependencies);
  assert.deepEqual(lock.packages[''].engines, manifest.engines);
  const installed = JSON.parse(
    fs.readFileSync(path.join(extensionDir, 'node_modules/vscode-languageclient/package.json'), 'utf8'),
  );
  assert.equal(installed.version, pinned, 'run `npm ci --prefix editors/vscode`');
  const minimum = (range) => range.replace(/^[\^~>=]+/, '').split('.').map(Number);
  const [ours, theirs] = [minimum(manifest.engines.vscode), minimum(installed.engines.vscode)];
  assert.ok(
    ours[0] > theirs[0] || (ours[0] === theirs[0] && ours[1] >= theirs[1]),
    `engines.vscode ${manifest.engines.vscode} is older than the client needs (${installed.engines.vscode})`,
  );
});

test('activation starts `dlc lsp` over stdio for dl documents', async () => {
  reset();
  await withDlcOnPath(async () => {
    const extension = loadExtension();
    await extension.activate({ subscriptions: [] });
    assert.deepEqual(seen.errors, []);
    assert.equal(seen.clients.length, 1);
    const client = seen.clients[0];
    assert.equal(client.id, 'dlc');
    assert.deepEqual(client.serverOptions, {
      command: 'dlc',
      args: ['lsp'],
      transport: languageClient.TransportKind.stdio,
    });
    const language = manifest.contributes.languages[0].id;
    assert.deepEqual(client.clientOptions.documentSelector, [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]);
    assert.ok(client.started);
    await extension.deactivate();
    assert.ok(client.stopped);
  });
  assert.equal(typeof languageClient.LanguageClient, 'function', 'the real package exports LanguageClient');
});

test('dlc.path chooses the binary', async () => {
  await withDlcOnPath(async (dlc) => {
    reset({ 'dlc.path': dlc });
    process.env.PATH = '';
    await loadExtension().activate({ subscriptions: [] });
    assert.deepEqual(seen.errors, []);
    assert.equal(seen.clients[0].serverOptions.command, dlc);
  });
});

test('a dlc that cannot be found gets a clear message, and a way to the setting', async () => {
  const missing = path.join(os.tmpdir(), 'no-such-folder', 'dlc');
  reset({ 'dlc.path': missing });
  seen.answer = 'Open Settings';
  await loadExtension().activate({ subscriptions: [] });
  assert.equal(seen.clients.length, 0, 'no client for a missing binary');
  assert.equal(seen.errors.length, 1);
  assert.match(seen.errors[0].message, /was not found/);
  assert.ok(seen.errors[0].message.includes(missing));
  assert.ok(seen.errors[0].message.includes('`dlc.path`'));
  assert.deepEqual(seen.commands, [['workbench.action.openSettings', 'dlc.path']]);

  reset();
  await withDlcOnPath(async () => {
    process.env.PATH = '';
    await loadExtension().activate({ subscriptions: [] });
  });
  assert.equal(seen.clients.length, 0);
  assert.match(seen.errors[0].message, /`dlc` was not found/);
});

test('a dlc without `lsp` is reported, not thrown', async () => {
  reset();
  seen.startFails = true;
  await withDlcOnPath(async () => {
    const extension = loadExtension();
    await extension.activate({ subscriptions: [] });
    assert.equal(seen.errors.length, 1);
    assert.match(seen.errors[0].message, /`dlc lsp` did not start/);
    assert.deepEqual(seen.providers, [], 'no stdlib documents without a server');
    assert.equal(extension.deactivate(), undefined);
  });
});

test('stdlib documents (dlc-std:) open with the text the server returns', async () => {
  reset();
  await withDlcOnPath(async () => {
    const context = { subscriptions: [] };
    await loadExtension().activate(context);
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.providers.map((p) => p.scheme), ['dlc-std']);
    const [registration] = seen.providers;
    assert.equal(context.subscriptions.length, 1, 'the provider is disposed with the extension');
    context.subscriptions[0].dispose();
    assert.ok(registration.disposed);

    // What go to definition into the stdlib gives (tests/lsp.rs checks the server's side).
    const uri = { scheme: 'dlc-std', path: 'std/environment.dl', toString: () => 'dlc-std:std/environment.dl' };
    const token = { isCancellationRequested: false };
    const text = await registration.provider.provideTextDocumentContent(uri, token);
    assert.equal(text, STDLIB_TEXT);
    assert.deepEqual(seen.clients[0].requests, [
      { method: 'dlc/readStdlib', params: { uri: 'dlc-std:std/environment.dl' }, token },
    ]);
  });
});
