// The k8sec extension: runs `k8sec lsp` for YAML and JSON files, so that k8sec's findings,
// quick fixes and check docs appear in the editor. The server does the work; this only starts
// it (with the binary the `k8sec.path` setting names) and restarts it when asked.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("k8sec.restart", restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("k8sec.path")) {
        void restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function serverOptions(): ServerOptions {
  const configured = vscode.workspace.getConfiguration("k8sec").get<string>("path");
  const command = configured && configured.trim() !== "" ? configured : "k8sec";
  return { command, args: ["lsp"], transport: TransportKind.stdio };
}

async function start(): Promise<void> {
  const clientOptions: LanguageClientOptions = {
    // Files on disk only: the server lints a workspace folder as `k8sec lint .` would.
    documentSelector: [
      { scheme: "file", language: "yaml" },
      { scheme: "file", language: "json" },
    ],
  };
  client = new LanguageClient("k8sec", "k8sec", serverOptions(), clientOptions);
  try {
    await client.start();
  } catch (error) {
    const path = vscode.workspace.getConfiguration("k8sec").get<string>("path");
    void vscode.window.showErrorMessage(
      `k8sec: could not start \`${path} lsp\` (set "k8sec.path" to the k8sec binary): ${error}`,
    );
  }
}

async function restart(): Promise<void> {
  await deactivate();
  await start();
}
